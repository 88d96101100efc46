"""Program under mocks: wall time and resource count for a SecuredHttpApi with N JWT routes."""

import time

from components import SecuredHttpApi
from components.mockrun import run_program

SIZES = (50, 200, 500, 1000)
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench"


def build(n: int) -> None:
    routes = {f"GET /items{i}/{{id}}": {"handler": "app.handler"} for i in range(n)}
    SecuredHttpApi(
        "bench",
        {
            "routes": routes,
            "code_path": "lambdas",
            "issuer": ISSUER,
            "audiences": ["client"],
            "cors_origins": ["https://app.example.com"],
        },
    )


def measure(n: int) -> tuple[float, int]:
    start = time.perf_counter()
    recording = run_program(lambda: build(n), project="bench", stack="bench")
    return time.perf_counter() - start, len(recording.resources)


def main() -> None:
    measure(10)  # warm imports
    figures = {}
    for n in SIZES:
        seconds, resources = measure(n)
        figures[n] = seconds
        print(f"program: {n:5d} JWT routes  {seconds:6.2f} s  {resources:5d} resources", flush=True)
    print(
        f"program: 500 routes {figures[500]:.2f} s (goal <= 5 s); "
        f"1000/500 ratio {figures[1000] / figures[500]:.2f} (goal <= 2.2)"
    )


if __name__ == "__main__":
    main()
