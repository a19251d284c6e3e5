"""Run a badge campaign from its campaign file, one step at a time or all at once.

    ape run campaign run CAMPAIGN_FILE [--network ethereum:local:foundry] [--account ALIAS]
    ape run campaign plan|commit|draw|issue|status CAMPAIGN_FILE ...

Every step reads and writes the campaign journal (out/<campaign>/journal.sqlite) and checks the
chain first, so any step, or `run`, can be interrupted and run again to finish without issuing
anything twice.
"""

import json
import time

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
from merit.clients.issuer import DEFAULT_BATCH_SIZE, Issuer

EDITION_HELP = "Edition id to work on (repeatable). Default: every edition."


def _issuer(campaign, account_alias, out_root, deployments_root, **extra):
    """Return an Issuer; `extra` holds its optional arguments, such as `fresh` and `batch_size`."""
    connect_sdk_logging()
    return Issuer(
        campaign, resolve_account(account_alias), out_root=out_root, deployments=deployments_root, **extra
    )


def _print_status(issuer):
    statuses = issuer.status()
    width = max([len("edition")] + [len(status.edition) for status in statuses])
    header = f"{'edition':<{width}}  {'state':<10} {'entrants':>9} {'winners':>8} {'issued':>7} {'rejected':>9}  name"
    click.echo(header)
    click.echo("-" * len(header))
    for status in statuses:
        click.echo(
            f"{status.edition:<{width}}  {status.round_state:<10} {sum(status.entrants.values()):>9,} "
            f"{status.total_winners:>8,} {status.issued:>7,} {status.rejected:>9,}  {status.name}"
        )


@click.group()
def cli():
    """Run the steps of a badge campaign: plan, commit, draw, issue, or all of them with run."""


@cli.command(cls=ConnectedProviderCommand)
@campaign_argument
@account_option
@out_option
@deployments_option
@fresh_option
@click.option("--allow-rejections", is_flag=True, help="Proceed without rejected entrant rows instead of stopping.")
@report_errors
def plan(campaign, account_alias, out_root, deployments_root, fresh, allow_rejections):
    """Check every entrant file and publish each edition's round files (off chain)."""
    with _issuer(campaign, account_alias, out_root, deployments_root, allow_rejections=allow_rejections, fresh=fresh) as issuer:
        issuer.plan()
        _print_status(issuer)


@cli.command(cls=ConnectedProviderCommand)
@campaign_argument
@account_option
@out_option
@deployments_option
@fresh_option
@click.option("--edition", "editions", multiple=True, help=EDITION_HELP)
@report_errors
def commit(campaign, account_alias, out_root, deployments_root, fresh, editions):
    """Create editions on chain and commit their round manifests."""
    with _issuer(campaign, account_alias, out_root, deployments_root, fresh=fresh) as issuer:
        issuer.commit(editions or None)
        _print_status(issuer)


@cli.command(cls=ConnectedProviderCommand)
@campaign_argument
@account_option
@out_option
@deployments_option
@fresh_option
@click.option("--edition", "editions", multiple=True, help=EDITION_HELP)
@vrf_options
@report_errors
def draw(campaign, account_alias, out_root, deployments_root, fresh, editions, **options):
    """Request and deliver the seed of every round whose close time has passed."""
    with _issuer(campaign, account_alias, out_root, deployments_root, vrf=vrf_settings(options), fresh=fresh) as issuer:
        issuer.draw(editions or None)
        _print_status(issuer)


@cli.command(cls=ConnectedProviderCommand)
@campaign_argument
@account_option
@out_option
@deployments_option
@click.option("--edition", "editions", multiple=True, help=EDITION_HELP)
@click.option("--batch-size", type=click.IntRange(1, 256), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Winners per airdrop transaction.")
@fresh_option
@report_errors
def issue(campaign, account_alias, out_root, deployments_root, editions, batch_size, fresh):
    """Airdrop the badges of every seeded round's winners."""
    with _issuer(campaign, account_alias, out_root, deployments_root, batch_size=batch_size, fresh=fresh) as issuer:
        count = issuer.issue(editions or None)
        logger.success(f"Issued {count} badges.")
        _print_status(issuer)


@cli.command(cls=ConnectedProviderCommand)
@campaign_argument
@account_option
@out_option
@deployments_option
@report_errors
def report(campaign, account_alias, out_root, deployments_root):
    """Audit the campaign and write its report: CSV, JSON and HTML in Chinese and English.

    Exits with status 1 when the audit fails, after writing the report that shows why.
    """
    with _issuer(campaign, account_alias, out_root, deployments_root) as issuer:
        audit = issuer.audit()
        paths = issuer.report(audit)
    for path in paths:
        logger.info(f"Wrote {path}")
    if not audit.passed:
        raise click.ClickException(
            f"The audit found {len(audit.discrepancies)} discrepancies; see the report and audit.json."
        )


@cli.command(cls=ConnectedProviderCommand)
@campaign_argument
@click.argument("key")
@account_option
@out_option
@deployments_option
@report_errors
def retry(campaign, key, account_alias, out_root, deployments_root):
    """Let a step send the transaction of journal KEY again after it reverted on chain.

    A step stops at a reverted transaction and names its key, so that nothing is sent again
    blindly. Find the cause first (the message names the transaction), then run this and the step.
    """
    with _issuer(campaign, account_alias, out_root, deployments_root) as issuer:
        issuer.allow_retry(key)
    logger.success(f"Intent {key} may be sent again; run the step that sends it.")


@cli.command(cls=ConnectedProviderCommand)
@campaign_argument
@account_option
@out_option
@deployments_option
@report_errors
def status(campaign, account_alias, out_root, deployments_root):
    """Show the progress of each edition."""
    with _issuer(campaign, account_alias, out_root, deployments_root) as issuer:
        _print_status(issuer)


@cli.command(cls=ConnectedProviderCommand)
@campaign_argument
@account_option
@out_option
@deployments_option
@fresh_option
@click.option("--allow-rejections", is_flag=True, help="Proceed without rejected entrant rows instead of stopping.")
@click.option("--issuer", "issuer_address", metavar="ADDRESS", type=ADDRESS, help="Account that gets the issuer roles at deployment.")
@click.option("--batch-size", type=click.IntRange(1, 256), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Winners per airdrop transaction.")
@vrf_options
@report_errors
def run(campaign, account_alias, out_root, deployments_root, fresh, allow_rejections, issuer_address, batch_size, **options):
    """Run every step for every edition: plan, deploy, commit, draw, issue, then audit and report."""
    started = time.monotonic()
    with _issuer(
        campaign,
        account_alias,
        out_root,
        deployments_root,
        allow_rejections=allow_rejections,
        batch_size=batch_size,
        vrf=vrf_settings(options),
        fresh=fresh,
    ) as issuer:
        statuses = issuer.run(issuer_address)
        _print_status(issuer)
        gas = sum(intent.gas_used or 0 for intent in issuer.journal.intents())
        transactions = sum(1 for intent in issuer.journal.intents() if intent.gas_used)
        audit = json.loads((issuer.output_dir / "audit.json").read_text())
        output_dir = issuer.output_dir

    entrants = sum(sum(s.entrants.values()) for s in statuses)
    winners = sum(s.total_winners for s in statuses)
    issued = sum(s.issued for s in statuses)
    verdict = "passed" if audit["passed"] else f"FAILED with {len(audit['discrepancies'])} discrepancies"
    click.echo(
        f"\nCampaign {campaign.name}: {len(statuses)} editions, {entrants:,} entrants, {winners:,} winners, "
        f"{issued:,} badges issued, {transactions:,} transactions, {gas:,} gas, "
        f"{time.monotonic() - started:.1f} s. Audit {verdict}.\n"
        f"Published files, audit.json and the report (report/report.en.html, report/report.zh-CN.html) "
        f"are in {output_dir}."
    )
    if not audit["passed"]:
        raise click.ClickException(f"The audit failed; see {output_dir / 'audit.json'}.")
