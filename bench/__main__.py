"""Run every benchmark module that exists and print its figures."""

import importlib
import importlib.util

AREAS = ("install", "program", "openapi", "policy", "lambdas", "local", "signin")


def main() -> None:
    for area in AREAS:
        if importlib.util.find_spec(f"bench.{area}") is None:
            continue
        print(f"== {area} ==", flush=True)
        importlib.import_module(f"bench.{area}").main()


if __name__ == "__main__":
    main()
