"""Each merchant SDK sends what a merchant would, to the sandbox; the sandbox's test helpers then
show that it was understood. Usage: merchant-sdks.py SANDBOX_HOST:PORT SMS_HOST:PORT."""

import json
import sys
import urllib.request

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client as SmsClient
from alibabacloud_tea_openapi import models as open_api_models

SANDBOX, SMS_HOST = sys.argv[1], sys.argv[2]


def sandbox_json(path):
    with urllib.request.urlopen(f"http://{SANDBOX}{path}", timeout=10) as response:
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


aliyun_sms()
