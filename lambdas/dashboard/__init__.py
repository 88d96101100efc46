"""The dashboard API's implementation, imported by the Lambda entry point ``app.handler``.

The code root of the function is the ``lambdas/`` directory, so this package is a top-level package
(``import dashboard``). Keeping the modules inside a package (rather than as top-level ``http.py``,
``storage.py``...) means nothing here can shadow a standard-library or third-party module of the same
name: the local stack and the tests put ``lambdas/`` first on ``sys.path`` of a shared process.

Modules, one concern each:

* :mod:`dashboard.http` - payload 2.0 event parsing (identity, groups, body, query) and responses.
* :mod:`dashboard.validation` - input rules; every violation is a 400 ``{"message": "<field>: ..."}``.
* :mod:`dashboard.config` - settings read from the environment on every invocation.
* :mod:`dashboard.ids` - item ids (ULIDs: time-sortable, creation time recoverable from the id).
* :mod:`dashboard.storage` - DynamoDB/S3 access, key design, opaque pagination cursors.
* :mod:`dashboard.uploads`, :mod:`dashboard.metadata`, :mod:`dashboard.admin` - the route handlers.
* :mod:`dashboard.logs` - structured JSON log lines.
"""
