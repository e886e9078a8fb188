"""Each merchant SDK sends what a merchant would, to the sandbox; the sandbox's test helpers then
show that it was understood, and the SDK believes what the sandbox answers and notifies.
Usage: merchant-sdks.py SANDBOX_HOST:PORT SMS_HOST:PORT (from the repository's root)."""

import http.server
import json
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client as SmsClient
from alibabacloud_tea_openapi import models as open_api_models

SANDBOX, SMS_HOST = sys.argv[1], sys.argv[2]


def sandbox_json(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://{SANDBOX}{path}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def aliyun_sms():
    """Alibaba Cloud's SMS SDK: SendSms signed ACS3-HMAC-SHA256, POST / of its endpoint."""
    config = open_api_models.Config(
        access_key_id="sandbox-ak",
        access_key_secret="sandbox-sk",
        endpoint=SMS_HOST,
        protocol="http",
        read_timeout=10000,
        connect_timeout=5000,
    )
    client = SmsClient(config)
    sent = client.send_sms(
        sms_models.SendSmsRequest(
            phone_numbers="13500135000",
            sign_name="万家灯火",
            template_code="SMS_000001",
            template_param=json.dumps({"code": "246810"}),
            out_id="login:sdk",
        )
    )
    assert sent.body.code == "OK", (sent.body.code, sent.body.message)
    assert sent.body.biz_id.endswith("^0"), sent.body.biz_id
    messages = sandbox_json("/sms/messages?phone=13500135000")
    assert [(m["code"], m["type"]) for m in messages] == [("246810", "login")], messages

    # Another secret: refused as Alibaba Cloud refuses it.
    config.access_key_secret = "not-the-secret"
    try:
        SmsClient(config).send_sms(
            sms_models.SendSmsRequest(
                phone_numbers="13500135000",
                sign_name="万家灯火",
                template_code="SMS_000001",
                template_param=json.dumps({"code": "111111"}),
            )
        )
    except Exception as error:  # the SDK raises its own ClientException
        assert "SignatureDoesNotMatch" in str(error), error
    else:
        raise AssertionError("a wrong secret was accepted")
    assert len(sandbox_json("/sms/messages?phone=13500135000")) == 1
    print("alibabacloud_dysmsapi20170525: accepted, and a wrong secret refused")


def alipay():
    """python-alipay-sdk (PyPI, BSD; Alipay's own alipay-sdk-python cannot be pointed at a port
    other than 80/443): the WAP page's URL, alipay.trade.query with the answer's RSA2 signature
    verified, and the asynchronous notification verified as the SDK's users verify it."""
    from alipay import AliPay

    keys = "sandbox/fixtures/alipay"
    with open(f"{keys}/dev-app-private-key.pem") as pem:
        app_private_key = pem.read()
    with open(f"{keys}/dev-alipay-public-key.pem") as pem:
        alipay_public_key = pem.read()

    notices = []

    class Notify(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            notices.append(dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"success")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Notify)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    client = AliPay(
        appid="2021000000000001",
        app_notify_url=f"http://127.0.0.1:{server.server_address[1]}/notify",
        app_private_key_string=app_private_key,
        alipay_public_key_string=alipay_public_key,
        sign_type="RSA2",
    )
    client._gateway = f"http://{SANDBOX}/alipay/gateway.do"

    out_trade_no = "SDK" + uuid.uuid4().hex[:16]
    order = client.api_alipay_trade_wap_pay(
        subject="看房信息费",
        out_trade_no=out_trade_no,
        total_amount="10.00",
        return_url="https://m.example.com/paid",
    )
    with urllib.request.urlopen(f"{client._gateway}?{order}", timeout=10) as response:
        html = response.read().decode()
    assert "10.00" in html and out_trade_no in html, html

    paid = sandbox_json("/alipay/pay", {"out_trade_no": out_trade_no})
    assert paid["delivered"] is True, paid
    notice = dict(notices[0])
    signature = notice.pop("sign")
    assert client.verify(notice, signature), "the SDK's verification of the notification"
    assert notice["out_trade_no"] == out_trade_no and notice["total_amount"] == "10.00", notice

    answer = client.api_alipay_trade_query(out_trade_no=out_trade_no)
    assert answer["code"] == "10000" and answer["trade_status"] == "TRADE_SUCCESS", answer

    refunded = client.api_alipay_trade_refund(
        refund_amount="10.00", out_trade_no=out_trade_no, out_request_no="SDKREFUND1"
    )
    assert refunded["code"] == "10000" and refunded["fund_change"] == "Y", refunded
    again = client.api_alipay_trade_refund(
        refund_amount="10.00", out_trade_no=out_trade_no, out_request_no="SDKREFUND1"
    )
    assert again["code"] == "10000" and again["fund_change"] == "N", again
    for _ in range(100):
        if len(notices) > 1:
            break
        time.sleep(0.05)
    notice = dict(notices[1])
    signature = notice.pop("sign")
    assert client.verify(notice, signature), "the SDK's verification of the refund notification"
    assert notice["out_biz_no"] == "SDKREFUND1" and notice["refund_fee"] == "10.00", notice
    server.shutdown()
    print("python-alipay-sdk: the page, the query, the refund and both notifications verified")


aliyun_sms()
alipay()
