"""Sending transactions through the journal, so that a crashed step never sends twice.

Every transaction of a campaign goes through `JournaledSender.send`:

1. an unresolved intent left by a crashed run is reconciled first: its receipt is fetched by
   hash, or, when the transaction never reached a block and its nonce is still free, it is
   abandoned so that it can be sent again on the same nonce (which can never execute twice);
2. the transaction is prepared (gas estimated; a call that would revert fails here, before
   anything is recorded or sent) and signed;
3. the intent is recorded with its nonce and hash *before* the transaction is broadcast;
4. the receipt is recorded once mined.

Steps still check the chain's state before calling `send` (an edition that exists is not created
again), so the journal guards the window between broadcast and receipt, and the state checks
guard everything else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ape.api import AccountAPI, ReceiptAPI, TransactionAPI
from ape.exceptions import TransactionNotFoundError
from ape.utils import ManagerAccessMixin

from merit.errors import ChainError
from merit.journal import Intent, IntentState, Journal

__all__ = ["JournaledSender", "SentTransaction"]

logger = logging.getLogger(__name__)

RECEIPT_WAIT_SECONDS = 30
"""How long a reconciliation waits for the receipt of a transaction that was broadcast."""

REPLACEMENT_FEE_BUMP = 1.125
"""Fee factor for a transaction re-sent on the nonce of one that never arrived; nodes accept a
replacement only with a fee at least 10% higher."""


@dataclass(frozen=True)
class SentTransaction:
    """The outcome of `JournaledSender.send`.

    Attributes:
        intent: The journal's record of the transaction, confirmed.
        receipt: The receipt, or None when a previous run had already confirmed the intent.
    """

    intent: Intent
    receipt: ReceiptAPI | None

    @property
    def gas_used(self) -> int:
        """Gas used by the transaction, from the receipt or the journal."""
        return int(self.receipt.gas_used) if self.receipt is not None else int(self.intent.gas_used or 0)


class JournaledSender(ManagerAccessMixin):
    """Sends transactions from one account, each recorded in a campaign journal first.

    Args:
        journal: The campaign's journal.
        account: The signing account (an ape account: keyfile, hardware or test account).
    """

    def __init__(self, journal: Journal, account: AccountAPI) -> None:
        self.journal = journal
        self.account = account

    # -- public --------------------------------------------------------------------------------

    def send(self, step: str, key: str, txn: TransactionAPI) -> SentTransaction:
        """Send `txn` (built with `method.as_transaction(...)` or a constructor's
        `serialize_transaction(...)`) under idempotency key `key`, unless the journal shows it
        confirmed already.

        Raises:
            ChainError: if the transaction reverted, or an earlier attempt under the same key
                reverted.
            ape.exceptions.ContractLogicError: if gas estimation shows that it would revert;
                nothing is recorded or sent then.
        """
        existing = self.journal.intent(key)
        if existing is not None and existing.is_unresolved:
            existing = self._reconcile(existing)
        if existing is not None and existing.state is IntentState.CONFIRMED:
            logger.info("Skipped %s: confirmed earlier in transaction %s.", key, existing.tx_hash)
            return SentTransaction(existing, None)
        if existing is not None and existing.state is IntentState.REVERTED:
            raise ChainError(
                f"Transaction {existing.tx_hash} for {key} reverted in block {existing.block_number}. "
                f"Inspect it and fix the cause, then run `ape run campaign retry CAMPAIGN_FILE {key}` "
                "and the step again."
            )

        replacing = existing is not None and existing.state is IntentState.ABANDONED
        txn.sender = self.account.address
        txn.chain_id = self.provider.chain_id
        prepared = self.account.prepare_transaction(txn)
        # On local networks ape fills in the block's gas limit without estimating, so a call that
        # would revert would be mined. Estimating here raises ContractLogicError before anything
        # is recorded or sent. The prepared gas limit stays: an estimate can starve callbacks
        # that run with a gas stipend of their own, such as the VRF coordinator's.
        self.provider.estimate_gas_cost(prepared)
        if replacing and existing is not None and prepared.nonce == existing.nonce:
            self._bump_fees(prepared)
        signed = self.account.sign_transaction(prepared)
        if signed is None:
            raise ChainError(f"Account {self.account.address} did not sign the transaction for {key}.")
        tx_hash = signed.txn_hash.hex()
        if not tx_hash.startswith("0x"):
            tx_hash = f"0x{tx_hash}"

        intent, created = self.journal.begin_intent(
            step=step,
            key=key,
            chain_id=self.provider.chain_id,
            sender=self.account.address,
            target=str(prepared.receiver or ""),
            calldata=bytes(prepared.data),
            nonce=int(prepared.nonce or 0),
        )
        if not created:
            raise ChainError(f"Intent {key} changed while it was being sent; run the step again.")
        self.journal.mark_sent(key, tx_hash)

        receipt = self.provider.send_transaction(signed)
        if not _is_mined(receipt):
            found = self._find_receipt(tx_hash)
            if found is None or not _is_mined(found):
                raise ChainError(
                    f"Transaction {tx_hash} for {key} was sent but not mined within "
                    f"{RECEIPT_WAIT_SECONDS} s. Run the step again later: it finds the receipt, or "
                    "sends the transaction again on the same nonce if the node dropped it."
                )
            receipt = found
        return SentTransaction(self._record_receipt(key, receipt), receipt)

    def reconcile_unresolved(self) -> list[Intent]:
        """Settle every intent of this account that a crashed run left without a receipt.

        A step whose work is on chain already sends nothing, so it would never meet the intent
        of the transaction that did that work; run this before any step.

        Returns:
            The intents as settled: confirmed, reverted or abandoned.
        """
        settled = []
        for intent in self.journal.unresolved_intents(self.provider.chain_id):
            if intent.sender != self.account.address:
                logger.warning(
                    "Intent %s of %s has no receipt; run the campaign with that account to settle it.",
                    intent.key,
                    intent.sender,
                )
                continue
            try:
                settled.append(self._reconcile(intent))
            except ChainError as error:
                # A transaction that reverted is on record as such; the step that needs it reports it.
                logger.warning("Intent %s: %s", intent.key, error)
                recorded = self.journal.intent(intent.key)
                if recorded is not None:
                    settled.append(recorded)
        return settled

    # -- reconciliation --------------------------------------------------------------------------

    def _reconcile(self, intent: Intent) -> Intent:
        """Settle an intent that a crashed run left without a receipt."""
        if intent.tx_hash:
            receipt = self._find_receipt(intent.tx_hash)
            if receipt is not None:
                logger.info("Found the receipt of %s (%s) left by an earlier run.", intent.key, intent.tx_hash)
                return self._record_receipt(intent.key, receipt)

        next_nonce = self.provider.get_nonce(self.account.address)
        if next_nonce > intent.nonce:
            reason = (
                f"nonce {intent.nonce} was used by another transaction; "
                f"{intent.tx_hash or 'the prepared transaction'} never reached a block"
            )
        else:
            reason = f"{intent.tx_hash or 'the prepared transaction'} never reached a block; nonce {intent.nonce} is still free"
        return self.journal.abandon_intent(intent.key, reason)

    def _find_receipt(self, tx_hash: str) -> ReceiptAPI | None:
        try:
            receipt = self.provider.get_receipt(tx_hash, timeout=RECEIPT_WAIT_SECONDS)
            return receipt if _is_mined(receipt) else None
        except (TransactionNotFoundError, TimeoutError):
            return None
        except Exception as error:  # noqa: BLE001 - providers raise their own types for "unknown hash"
            logger.warning("Could not fetch the receipt of %s: %s", tx_hash, error)
            return None

    def _record_receipt(self, key: str, receipt: ReceiptAPI) -> Intent:
        tx_hash = receipt.txn_hash if isinstance(receipt.txn_hash, str) else receipt.txn_hash.hex()
        intent = self.journal.mark_mined(
            key,
            tx_hash=tx_hash,
            status=int(receipt.status),
            block_number=int(receipt.block_number),
            gas_used=int(receipt.gas_used),
        )
        if intent.state is IntentState.REVERTED:
            raise ChainError(f"Transaction {tx_hash} for {key} reverted in block {receipt.block_number}.")
        return intent

    @staticmethod
    def _bump_fees(txn: Any) -> None:
        for field in ("max_fee", "max_priority_fee", "gas_price"):
            value = getattr(txn, field, None)
            if isinstance(value, int) and value > 0:
                setattr(txn, field, int(value * REPLACEMENT_FEE_BUMP) + 1)


def _is_mined(receipt: ReceiptAPI) -> bool:
    """Whether `receipt` is from a block; ape returns a placeholder (no block) when the node has
    not mined the transaction yet."""
    block = getattr(receipt, "block_number", None)
    return isinstance(block, int) and block >= 0
