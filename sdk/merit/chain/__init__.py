"""Bindings of merit's contracts through ape: packaged artifacts, deployment, journaled sending."""
