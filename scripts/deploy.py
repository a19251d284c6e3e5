"""Deploy a campaign's contracts, or check an existing deployment and do nothing.

    ape run deploy CAMPAIGN_FILE [--network ethereum:local:foundry] [--account ALIAS]

Writes deployments/<network>/<campaign>.json. With a record that matches the chain, nothing is sent.
"""

import click
from ape.cli import ConnectedProviderCommand
from ape.logging import logger

from merit.cli import (
    ADDRESS,
    account_option,
    campaign_argument,
    connect_sdk_logging,
    deployments_option,
    fresh_option,
    out_option,
    report_errors,
    resolve_account,
    vrf_options,
    vrf_settings,
)
from merit.clients.issuer import Issuer


@click.command(cls=ConnectedProviderCommand)
@campaign_argument
@account_option
@click.option("--issuer", "issuer_address", metavar="ADDRESS", type=ADDRESS, help="Account that gets the issuer roles. Default: the deploying account.")
@out_option
@deployments_option
@fresh_option
@vrf_options
@report_errors
def cli(campaign, account_alias, issuer_address, out_root, deployments_root, fresh, **options):
    """Deploy the badge series, the draw and the randomness source of CAMPAIGN_FILE."""
    connect_sdk_logging()
    account = resolve_account(account_alias)
    with Issuer(
        campaign, account, out_root=out_root, deployments=deployments_root, vrf=vrf_settings(options), fresh=fresh
    ) as issuer:
        record = issuer.deploy(issuer_address)
    for name, contract in record.contracts.items():
        logger.info(f"{name}: {contract.address} (block {contract.block})")
    logger.success(f"Deployment of {campaign.name} on {record.network} is in place.")
