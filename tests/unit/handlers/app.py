"""Handler module of the component tests' code directory (parsed by the component, never deployed)."""


def handler(event: dict, context: object) -> dict:
    return {"statusCode": 200, "body": "{}"}
