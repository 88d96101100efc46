"""The securedapi policy pack: Pulumi's Python language host runs this file; it only builds the pack."""

from securedapi.policy import securedapi_pack

securedapi_pack()
