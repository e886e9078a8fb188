#!/usr/bin/env python3
"""Checks a rendered overlay against the Secret's documented keys.

    secret-mapping.py [--dev] RENDERED.yaml deploy/k8s/base/secret.example.yaml

Every key of secret.example.yaml is mapped into some Deployment, each Deployment maps exactly the
keys its component needs (NEEDS, which mirrors kit/src/guard.rs plus the database and Redis URLs),
nothing maps the whole Secret (envFrom), and no secret key is written into a manifest as a plain
value. Exit status 1 and one line per problem otherwise. With --dev, the dev overlay's own
Deployments (DEV_ONLY: databases, cache, collector, sandbox) are allowed and not checked, and the
Secret's name may carry kustomize's hash suffix; without it, any of them is a failure.
"""
import sys

import yaml

SECRET = "wjdh-secrets"
REDIS = "WJDH__CACHE__REDIS_URL"
# The key of the caller assertions: the gateway signs, every service signs and verifies.
CALLERS = "WJDH__CALLERS__KEY"
SECPLAT = {"WJDH__SECPLAT__KEY_K", "WJDH__SECPLAT__KEY_D"}
S3 = {"WJDH__OBJECTS__S3_ACCESS_KEY_ID", "WJDH__OBJECTS__S3_SECRET_ACCESS_KEY"}

# Deployment -> the Secret keys its component uses; initContainers (migrate) only its database.
NEEDS = {
    "gateway": {REDIS, CALLERS},
    "svc-auth": {
        REDIS,
        CALLERS,
        "WJDH__AUTH__DATABASE_URL",
        "WJDH__TOKENS__SECRET",
        "WJDH__AUTH__CODE_SECRET",
        "WJDH__AUTH__WECHAT__SECRET",
        "WJDH__AUTH__SMS__ACCESS_KEY_ID",
        "WJDH__AUTH__SMS__ACCESS_KEY_SECRET",
    },
    "svc-yibiaosanshi": {REDIS, CALLERS, "WJDH__YIBIAOSANSHI__DATABASE_URL", "WJDH__OCR__APPCODE"}
    | SECPLAT
    | S3,
    "svc-orders": {
        REDIS,
        CALLERS,
        "WJDH__ORDERS__DATABASE_URL",
        "WJDH__WXPAY__V3_API_KEY",
        "WJDH__WXPAY__V3_MERCHANT_PRIVATE_KEY",
        "WJDH__WXPAY__V3_PLATFORM_PUBLIC_KEY",
        "WJDH__WXPAY__V2_KEY",
        "WJDH__WXPAY__V2_CLIENT_CERT_PEM",
        "WJDH__WXPAY__V2_CLIENT_KEY_PEM",
        "WJDH__ALIPAY__APP_PRIVATE_KEY",
        "WJDH__ALIPAY__ALIPAY_PUBLIC_KEY",
    }
    | SECPLAT,
    "svc-community": {REDIS, CALLERS, "WJDH__COMMUNITY__DATABASE_URL"} | SECPLAT | S3,
}


# Deployments only the dev overlay may render.
DEV_ONLY = {"postgres", "redis", "otel-collector", "sandbox"}


def is_ours(name):
    """The Secret wjdh-secrets, or the dev overlay's generated one (`wjdh-secrets-<hash>`)."""
    return name == SECRET or (
        name.startswith(SECRET + "-") and name[len(SECRET) + 1 :].isalnum()
    )


def secret_refs(container, documented, problems, where):
    """The wjdh-secrets keys a container maps, and problems with how it maps them."""
    keys = set()
    for source in container.get("envFrom") or []:
        if is_ours((source.get("secretRef") or {}).get("name") or ""):
            problems.append(f"{where}: envFrom maps the whole {SECRET}; map named keys only")
    for variable in container.get("env") or []:
        ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
        if ref is not None:
            if is_ours(ref.get("name") or ""):
                keys.add(ref["key"])
            else:
                problems.append(f"{where}: {variable['name']} comes from Secret {ref.get('name')}")
        elif "value" in variable:
            if variable["name"] in documented:
                problems.append(f"{where}: {variable['name']} is written as a plain value")
    return keys


def main(rendered_path, example_path, dev):
    with open(example_path, encoding="utf-8") as file:
        example = yaml.safe_load(file)
    documented = set((example.get("stringData") or {}).keys())
    with open(rendered_path, encoding="utf-8") as file:
        documents = [d for d in yaml.safe_load_all(file) if d]
    problems = []
    expected = set().union(*NEEDS.values())
    if documented != expected:
        problems.append(
            "secret.example.yaml and the needs table differ: only documented "
            f"{sorted(documented - expected)}, only needed {sorted(expected - documented)}"
        )
    referenced = set()
    seen = set()
    for document in documents:
        if document.get("kind") != "Deployment":
            continue
        name = document["metadata"]["name"]
        if dev and name in DEV_ONLY:
            continue
        seen.add(name)
        if name not in NEEDS:
            problems.append(f"Deployment {name} is not in the needs table of {sys.argv[0]}")
            continue
        spec = document["spec"]["template"]["spec"]
        keys = set()
        for container in spec.get("containers") or []:
            keys |= secret_refs(container, documented, problems, f"{name}/{container['name']}")
        for container in spec.get("initContainers") or []:
            init_keys = secret_refs(container, documented, problems, f"{name}/{container['name']}")
            extra = init_keys - {k for k in NEEDS[name] if k.endswith("__DATABASE_URL")}
            if extra:
                problems.append(f"{name}/{container['name']} (migrate) maps {sorted(extra)}")
            keys |= init_keys
        for key in sorted(keys - documented):
            problems.append(f"{name} maps {key}, which secret.example.yaml does not document")
        for key in sorted(keys - NEEDS[name]):
            problems.append(f"{name} maps {key}, which it does not use")
        for key in sorted(NEEDS[name] - keys):
            problems.append(f"{name} does not map {key}, which it uses")
        referenced |= keys
    for name in sorted(set(NEEDS) - seen):
        problems.append(f"Deployment {name} is not rendered")
    for key in sorted(documented - referenced):
        problems.append(f"{key} of secret.example.yaml reaches no Deployment")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(documented)} secret keys, each mapped into exactly the Deployments using it")
    return 1 if problems else 0

if __name__ == "__main__":
    arguments = sys.argv[1:]
    dev = "--dev" in arguments
    paths = [argument for argument in arguments if argument != "--dev"]
    sys.exit(main(paths[0], paths[1], dev))
