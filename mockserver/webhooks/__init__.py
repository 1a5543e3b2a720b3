"""Signed webhooks (reference §5.7): `portability.download.ready` when a data request becomes
ready, `authorization.removed` on revoke; delivered in the background with retries."""
