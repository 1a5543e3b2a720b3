"""Fault injection: rules of match + trigger + effect, from the control API, the config file,
scenario presets and the per-request `X-Mock-Fault` header."""
