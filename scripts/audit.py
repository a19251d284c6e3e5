"""Audit a badge series: rebuild every draw and badge from chain logs and the published entrant
files, write audit.json, and exit with status 1 when anything disagrees.

    ape run audit --campaign CAMPAIGN_FILE [--network ethereum:sepolia:node]
    ape run audit --series ADDRESS --draw ADDRESS --published DIR [--start-block N]

With --campaign, the contracts and the first block come from the campaign's deployment record
for the network, and the round folders from out/<campaign>/. A third party passes the contract
addresses and a folder with one subfolder per round instead. Each round's folder is the one whose
manifest.json has the sha256 that the round committed.
"""

from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand
from ape.logging import logger
from merit.campaign import load_campaign
from merit.chain.deployment import (
    load_record,
    network_choice,
    record_path,
    verify_record,
)
from merit.cli import connect_sdk_logging, deployments_option, out_option, report_errors
from merit.clients.auditor import audit_series
from merit.clients.events import DEFAULT_BLOCK_RANGE, LogReader
from merit.errors import DeploymentError, MeritError


@click.command(cls=ConnectedProviderCommand)
@click.option(
    "--campaign",
    "campaign_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Campaign file whose deployment record and out/<campaign>/ folder to audit.",
)
@click.option("--series", "series_address", metavar="ADDRESS", help="BadgeSeries address, without --campaign.")
@click.option("--draw", "draw_address", metavar="ADDRESS", help="BadgeDraw address, without --campaign.")
@click.option(
    "--published",
    "published_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder with one subfolder per published round, without --campaign.",
)
@click.option("--start-block", type=click.IntRange(min=0), default=None,
              help="First block to read logs from. Default: the series' deployment block, or 0 without --campaign.")
@click.option("--stop-block", type=click.IntRange(min=0), default=None,
              help="Block whose state to audit. Default: the newest block.")
@click.option("--block-range", type=click.IntRange(min=1), default=DEFAULT_BLOCK_RANGE, show_default=True,
              help="Blocks per log request; lower it when the provider rejects wide ranges.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the result. Default: out/<campaign>/audit.json, or ./audit.json.")
@out_option
@deployments_option
@report_errors
def cli(
    campaign_file,
    series_address,
    draw_address,
    published_root,
    start_block,
    stop_block,
    block_range,
    output,
    out_root,
    deployments_root,
):
    """Audit the draws and badges of a series and write audit.json."""
    connect_sdk_logging()
    explicit = [series_address, draw_address, published_root]
    if campaign_file is not None and any(explicit):
        raise click.UsageError("Pass either --campaign or --series, --draw and --published, not both.")
    if campaign_file is None and not all(explicit):
        raise click.UsageError("Pass --campaign CAMPAIGN_FILE, or all of --series, --draw and --published.")

    edition_folders = None
    if campaign_file is not None:
        try:
            campaign = load_campaign(campaign_file)
        except MeritError as error:
            raise click.BadParameter(str(error), param_hint="--campaign") from error
        path = record_path(campaign.name, deployments_root)
        record = load_record(path)
        if record is None:
            raise DeploymentError(f"No deployment record of {campaign.name} on {network_choice()} at {path}. Check --network.")
        problems = verify_record(record)
        if problems:
            raise DeploymentError(f"Deployment record {path} does not match {network_choice()}: {'; '.join(problems)}.")
        series_address = record.address_of("BadgeSeries")
        draw_address = record.address_of("BadgeDraw")
        published_root = campaign.output_dir(out_root)
        # The issuer creates editions in campaign order, so edition id i is the i-th edition.
        edition_folders = [edition.id for edition in campaign.editions]
        if start_block is None:
            start_block = record.contracts["BadgeSeries"].block
        output = output or published_root / "audit.json"

    result = audit_series(
        series_address,
        draw_address,
        published_root,
        edition_folders=edition_folders,
        start_block=start_block or 0,
        stop_block=stop_block,
        reader=LogReader(block_range=block_range),
    )
    output = output or Path("audit.json")
    result.write_json(output)

    summary = result.summary
    logger.info(
        f"{summary.editions} editions, {summary.rounds} rounds, {summary.claimed} of {summary.winners} "
        f"winners claimed, {summary.badges_revoked} revoked, {summary.badges_recovered} recovered. "
        f"Result written to {output}."
    )
    if not result.passed:
        for discrepancy in result.discrepancies:
            logger.error(f"Edition {discrepancy.edition}: {discrepancy.kind.value}: {discrepancy.detail}")
        raise click.ClickException(
            f"The audit found {len(result.discrepancies)} discrepancies; see {output}."
        )
    logger.success(f"The audit of series {result.series} at block {result.stop_block} passed.")
