"""A second handler module: routes with another handler get their own function."""


def create(event: dict, context: object) -> dict:
    return {"statusCode": 201, "body": "{}"}
