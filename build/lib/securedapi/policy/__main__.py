"""``python -m securedapi.policy``: the pack entry point the offline gate launches (as a pack directory's
``__main__.py`` would be launched by Pulumi's Python language host)."""

from securedapi.policy import securedapi_pack

securedapi_pack()
