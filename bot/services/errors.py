"""Domain errors: each carries the message a person reads, as a gettext id with its parameters."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.i18n import N_, Translator


class DomainError(Exception):
    """A request the domain refuses; `render` turns it into the person's language."""

    message = N_("This cannot be done right now.")

    def __init__(self, **params: str | date) -> None:
        super().__init__(self.message.format(**params))
        self.params = params

    def render(self, translator: Translator, html: bool = False) -> str:
        """The message in the reader's language, moments as local dates, values escaped for HTML if asked."""
        params = {
            key: translator.date(value) if isinstance(value, date) else escape(value) if html else value
            for key, value in self.params.items()
        }
        return translator.gettext(self.message).format(**params)


class NotAuthorized(DomainError):
    message = N_("You do not have permission to do this.")


class StaleButton(DomainError):
    message = N_("This button is no longer valid. Please open /menu again.")


class NotLinked(DomainError):
    message = N_(
        "You are not linked to any unit yet. Open the invite link from your commune, "
        "or type your village's or agency's name to find it."
    )


class UnitNotFound(DomainError):
    message = N_("This unit no longer exists.")


class UnknownUnitCode(DomainError):
    message = N_("No unit has the code {code}.")


class UnitCodeNeeded(DomainError):
    message = N_("There is more than one top-level unit: name the unit with --unit CODE.")


class InviteInvalid(DomainError):
    message = N_(
        "This invite link is not valid. Check that you opened the whole link, "
        "or ask the commune for a new one."
    )


class InviteExpired(DomainError):
    message = N_("This invite link expired on {date}. Please ask the commune for a new one.")


class InviteUsed(DomainError):
    message = N_(
        "This invite link has already been used. Each link is for one person; "
        "please ask the commune for a new one."
    )


class InviteRevoked(DomainError):
    message = N_("This invite link has been revoked. Please ask the commune for a new one.")


class AlreadyLinked(DomainError):
    message = N_("You are already linked to {unit}.")


class PersonAlreadyHead(DomainError):
    message = N_("This person is already linked to {unit}.")


class JoinRequestPending(DomainError):
    message = N_("You already asked to join {unit}. Please wait for the admins' decision.")


class AlreadyDecided(DomainError):
    message = N_("This request was already decided by someone else.")


class MemberNotFound(DomainError):
    message = N_("This person is no longer linked to the unit.")


class CannotRemoveSelf(DomainError):
    message = N_("You cannot remove your own role.")


class ForeignContact(DomainError):
    message = N_("Please share your own phone number with the button below.")


class CampaignNotFound(DomainError):
    message = N_("This campaign no longer exists.")


class CampaignNotDraft(DomainError):
    message = N_(
        "The campaign “{name}” has already been launched; it can no longer be changed or launched again."
    )


class CampaignNotLaunched(DomainError):
    message = N_("The campaign “{name}” is not running.")


class UnitNotEligible(DomainError):
    message = N_("{unit} does not take part in the campaign “{campaign}”.")


class TitleNotAvailable(DomainError):
    message = N_("This title is not open to your unit.")


class AlreadyRegistered(DomainError):
    message = N_(
        "Your unit is already registered for “{title}”. Withdraw that registration first to change it."
    )


class RegistrationClosed(DomainError):
    message = N_("Registration closed on {date}. Please contact the commune if you need more time.")


class NotUnitHead(DomainError):
    message = N_("Only the head of the unit can do this.")


class RegistrationNotFound(DomainError):
    message = N_("This registration is no longer open.")


class DeadlineNotFound(DomainError):
    message = N_("This deadline no longer exists.")


class ExtensionTooEarly(DomainError):
    message = N_("The new date must not be in the past.")


class GroupNotFound(DomainError):
    message = N_("The bot is no longer in this group.")


class AnnouncementNotFound(DomainError):
    message = N_("This announcement is not meant for you.")


class UnsupportedCampaignFile(DomainError):
    message = N_("Please send the campaign as a .yaml or .xlsx file (templates are in examples/campaigns).")


class FileTooLarge(DomainError):
    message = N_("The file is too large; the limit is {size}.")


class NotRegistered(DomainError):
    message = N_("Your unit is not registered for “{campaign}”; register first with /dangky.")


class CriterionNotFound(DomainError):
    message = N_("This criterion does not apply to your unit.")


class EvidenceClosed(DomainError):
    message = N_("The deadline for evidence was {date}. Please contact the commune if you need more time.")


class TooManyItems(DomainError):
    message = N_("One submission holds at most {limit} files. Send it, then add the rest as a new version.")


class EvidenceEmpty(DomainError):
    message = N_("Nothing to send yet: send the photos or documents first.")


class NoCriterionChosen(DomainError):
    message = N_("Choose the criterion these files are evidence for first.")


class EvidenceNotFound(DomainError):
    message = N_("This evidence is no longer waiting for review.")


class UnsupportedEvidenceFile(DomainError):
    message = N_("Evidence can be photos or PDF files; this file type is not accepted.")


class VersionTaken(DomainError):
    message = N_(
        "Someone else from your unit sent evidence for this criterion at the same moment; "
        "press “Send for review” again to send yours as the next version."
    )


class ScoringClosed(DomainError):
    message = N_("Self-scoring closed on {date}. Please contact the commune if you need more time.")


class BadInput(DomainError):
    """Typed input that cannot be read: the bot keeps waiting for it, so the person just types again."""


class NumberNeeded(BadInput):
    message = N_("Please type a number such as 12 or 99,5.")


class NumberOutOfRange(BadInput):
    message = N_("The number must be between {low} and {high}.")


class ReasonNeeded(DomainError):
    message = N_("The verified score differs from the self-score: give the reason.")


class ScoresIncomplete(DomainError):
    message = N_("Score every criterion before sending: {missing} still to score.")


class ScoreNotFound(DomainError):
    message = N_("This score is no longer open for changes.")


class ContestClosed(DomainError):
    message = N_("The time to contest this score ended on {date}.")


class ContestNotNeeded(DomainError):
    message = N_("This score is the same as your self-score; there is nothing to contest.")


class ContestOpen(DomainError):
    message = N_("Your explanation for this criterion is already with the commune.")


class DecisionNeeded(BadInput):
    message = N_("Please type the decision number and its date, for example: 125/QĐ-UBND 20/12/2024.")
