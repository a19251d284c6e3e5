"""merit: soulbound learning badges with verifiable draws."""

__version__ = "0.1.0"

from merit.campaign import Campaign, load_campaign, plan_quotas
from merit.entrants import Entrant, EntrantList, Rejection, read_entrants
from merit.errors import (
    CampaignFileError,
    CampaignLookupError,
    DrawParameterError,
    EntrantFileError,
    JournalError,
    MeritError,
    MerkleTreeError,
    PrivacySecretError,
    PublishedFileError,
)
from merit.journal import Intent, IntentState, IssuedBadge, Journal
from merit.merkle import EntrantTree, MultiProof
from merit.permutation import (
    ALGORITHM_ID,
    FeistelPermutation,
    is_winner,
    permute,
    unpermute,
    winners,
)
from merit.publish import PublishedRound, load_round, publish_entrants, write_round

__all__ = [
    "ALGORITHM_ID",
    "Campaign",
    "CampaignFileError",
    "CampaignLookupError",
    "DrawParameterError",
    "Entrant",
    "EntrantFileError",
    "EntrantList",
    "EntrantTree",
    "FeistelPermutation",
    "Intent",
    "IntentState",
    "IssuedBadge",
    "Journal",
    "JournalError",
    "MeritError",
    "MerkleTreeError",
    "MultiProof",
    "PrivacySecretError",
    "PublishedFileError",
    "PublishedRound",
    "Rejection",
    "__version__",
    "is_winner",
    "load_campaign",
    "load_round",
    "permute",
    "plan_quotas",
    "publish_entrants",
    "read_entrants",
    "unpermute",
    "winners",
    "write_round",
]
