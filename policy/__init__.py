"""The securedapi policy pack (Pulumi CrossGuard) and its offline gate.

* ``policy/__main__.py`` builds the ``securedapi`` PolicyPack; the Pulumi CLI runs it for
  ``pulumi preview/up --policy-pack policy``.
* ``policy.rules`` holds the policies (importable without starting the pack).
* ``policy.engine`` evaluates the very same pack in-process, the way the engine does.
* ``python -m policy.check`` is the offline gate: run a program under mocks, evaluate, report.
"""
