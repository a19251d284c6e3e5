"""Revoke a badge, or move a lost wallet's badges to the learner's new wallet.

    ape run badges revoke CAMPAIGN_FILE EDITION HOLDER --reason CODE
    ape run badges recover propose|execute|cancel CAMPAIGN_FILE HOLDER [SUCCESSOR]

A recovery executes only after the series' recovery delay, during which the old address can veto
it by calling `vetoRecovery()` on the series.
"""

import datetime as dt

import click
from ape.cli import ConnectedProviderCommand
from ape.logging import logger

from merit.cli import (
    ADDRESS,
    account_option,
    campaign_argument,
    connect_sdk_logging,
    deployments_option,
    out_option,
    report_errors,
    resolve_account,
)
from merit.clients.issuer import Issuer


def _issuer(campaign, account_alias, out_root, deployments_root):
    connect_sdk_logging()
    return Issuer(campaign, resolve_account(account_alias), out_root=out_root, deployments=deployments_root)


@click.group()
def cli():
    """Revoke badges and recover lost wallets."""


@cli.command(cls=ConnectedProviderCommand)
@campaign_argument
@click.argument("edition")
@click.argument("holder")
@click.option("--reason", type=click.IntRange(0, 65535), required=True, help="Issuer-defined reason code (uint16).")
@account_option
@out_option
@deployments_option
@report_errors
def revoke(campaign, edition, holder, reason, account_alias, out_root, deployments_root):
    """Revoke HOLDER's badge of EDITION; the holder can never receive that edition again."""
    with _issuer(campaign, account_alias, out_root, deployments_root) as issuer:
        issuer.revoke(edition, holder, reason)
    logger.success(f"Revoked the {edition} badge of {holder} (reason {reason}).")


@cli.group()
def recover():
    """Move every badge of a lost wallet to a new one, after a delay the old wallet can veto."""


@recover.command(cls=ConnectedProviderCommand)
@campaign_argument
@click.argument("holder", type=ADDRESS)
@click.argument("successor", type=ADDRESS)
@account_option
@out_option
@deployments_option
@report_errors
def propose(campaign, holder, successor, account_alias, out_root, deployments_root):
    """Propose moving HOLDER's badges to SUCCESSOR."""
    with _issuer(campaign, account_alias, out_root, deployments_root) as issuer:
        executable_at = issuer.propose_recovery(holder, successor)
    moment = dt.datetime.fromtimestamp(executable_at, dt.timezone.utc).isoformat()
    logger.success(
        f"Recovery of {holder} to {successor} proposed; it may execute from {moment} (chain time), "
        "and the holder can veto it until then."
    )


@recover.command(cls=ConnectedProviderCommand)
@campaign_argument
@click.argument("holder")
@account_option
@out_option
@deployments_option
@report_errors
def execute(campaign, holder, account_alias, out_root, deployments_root):
    """Execute the recovery pending for HOLDER."""
    with _issuer(campaign, account_alias, out_root, deployments_root) as issuer:
        issuer.execute_recovery(holder)
    logger.success(f"Recovered every badge of {holder}.")


@recover.command(cls=ConnectedProviderCommand)
@campaign_argument
@click.argument("holder")
@account_option
@out_option
@deployments_option
@report_errors
def cancel(campaign, holder, account_alias, out_root, deployments_root):
    """Cancel the recovery pending for HOLDER."""
    with _issuer(campaign, account_alias, out_root, deployments_root) as issuer:
        issuer.cancel_recovery(holder)
    logger.success(f"Cancelled the recovery of {holder}.")
