"""The SDK's exception tree.

Every exception that the SDK raises on purpose derives from `MeritError`, so a caller can catch
the SDK's failures with one clause. Each class also derives from the builtin that describes the
failure (`ValueError` for bad input, `RuntimeError` for a state conflict), so code that does not
know the SDK still handles it sensibly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from merit.entrants import Rejection

__all__ = [
    "ArgumentError",
    "CampaignFileError",
    "ChainError",
    "DeploymentError",
    "RoleError",
    "CampaignLookupError",
    "CampaignProblem",
    "DrawParameterError",
    "EntrantFileError",
    "JournalError",
    "MeritError",
    "MerkleTreeError",
    "PrivacySecretError",
    "PublishedFileError",
]


class MeritError(Exception):
    """Base class of every error that the merit SDK raises on purpose."""


@dataclass(frozen=True)
class CampaignProblem:
    """One problem found in a campaign file.

    Attributes:
        key_path: Location of the offending key, such as ``editions[2].supply``; empty for the
            whole document.
        line: 1-based line in the campaign file, or None when the location has no line.
        message: What is wrong, with the offending value, and how to fix it.
    """

    key_path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.key_path or "campaign file"
        if self.line is not None:
            where = f"{where} (line {self.line})"
        return f"{where}: {self.message}"


class CampaignFileError(MeritError, ValueError):
    """Raised if a campaign file cannot be read, parsed or validated.

    The error lists every problem found, each with its key path, line, value and fix.
    """

    def __init__(self, path: Path | str, problems: Sequence[CampaignProblem]) -> None:
        self.path = Path(path)
        self.problems: tuple[CampaignProblem, ...] = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"Invalid campaign file {self.path}: {count} {noun}."]
        lines.extend(f"  {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))


class CampaignLookupError(MeritError, LookupError):
    """Raised if a campaign has no channel or edition with the requested id."""


class EntrantFileError(MeritError, ValueError):
    """Raised if an entrant file is unusable or has rejected rows.

    `rejections` lists every rejected row with its line and reasons. It is empty when the file as
    a whole is unusable (unreadable, empty, missing columns), and the message then explains why.
    """

    def __init__(
        self,
        path: Path | str,
        message: str,
        rejections: Sequence[Rejection] = (),
    ) -> None:
        self.path = Path(path)
        self.rejections: tuple[Rejection, ...] = tuple(rejections)
        lines = [f"{self.path}: {message}"]
        lines.extend(f"  {rejection}" for rejection in self.rejections)
        super().__init__("\n".join(lines))


class PrivacySecretError(MeritError, ValueError):
    """Raised if the issuer's HMAC secret is missing or too short."""


class MerkleTreeError(MeritError, ValueError):
    """Raised if Merkle tree input is invalid: no values, a malformed address, a bad index."""


class DrawParameterError(MeritError, ValueError):
    """Raised if a draw parameter is out of range: N, K, the pool number, an index or a rank."""


class PublishedFileError(MeritError, ValueError):
    """Raised if published round files do not match their manifest, hashes or Merkle roots.

    `problems` lists every mismatch found, so that an auditor can review all of them at once.
    """

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        self.path = Path(path)
        self.problems: tuple[str, ...] = tuple(problems)
        lines = [f"Published round {self.path} failed verification."]
        lines.extend(f"  {problem}" for problem in self.problems)
        super().__init__("\n".join(lines))


class JournalError(MeritError, RuntimeError):
    """Raised if the campaign journal is unusable or a write would contradict its records."""


class ChainError(MeritError, RuntimeError):
    """Raised if a transaction reverted or the chain contradicts what a step expects."""


class DeploymentError(MeritError, RuntimeError):
    """Raised if a deployment record is invalid or does not match the connected network."""


class ArgumentError(MeritError, ValueError):
    """Raised if an argument of an SDK call is invalid, such as a text that is not an address or
    a number out of range; the message names the value and the form expected."""


class RoleError(MeritError, PermissionError):
    """Raised before sending when the account lacks the contract role that a step needs.

    The message names the account, the role, the contract and who can grant it.
    """


class ResourceFetchError(MeritError, OSError):
    """Raised if a URI cannot be fetched: unsupported scheme, missing file, HTTP error, timeout or
    a response larger than the allowed size. The message names the URI and the cause."""


class ContentHashError(MeritError, ValueError):
    """Raised if downloaded content does not have the sha256 committed on chain.

    Nothing is written then. The message names the URI, both hashes and the edition.
    """


class ClaimError(MeritError, ValueError):
    """Raised if a claim transaction cannot be built: the account is not an entrant, did not win,
    already received the badge, or the round has no seed yet."""


__all__ += ["ClaimError", "ContentHashError", "ResourceFetchError"]
