"""The team invitation's default and variables (studios.emails; registered in studio_settings/wagtail_hooks.py)."""

from studios.emails import EmailSpec

VARIABLES = {
    "invite.invited_by": "Who added them",
    "invite.role": "Their role (owner or staff)",
    "invite.email": "Their e-mail address (they sign in with it)",
    "invite.setup_link": "The link to choose a password (only for someone new)",
    "invite.admin_link": "The admin's sign-in page",
}
SAMPLE = {
    "invite.invited_by": "Alex Morgan",
    "invite.role": "staff",
    "invite.email": "sam@example.com",
    "invite.setup_link": "https://app.example.com/admin/password_reset/sample/",
    "invite.admin_link": "https://app.example.com/admin/",
}


def values(context: dict) -> dict:
    return {
        "invite.invited_by": context["invited_by"],
        "invite.role": str(context["role"]).lower(),
        "invite.email": context["email"],
        "invite.setup_link": context.get("setup_link") or "",
        "invite.admin_link": context["admin_url"],
    }


SPECS = [
    EmailSpec(
        key="team_invite",
        label="Team invitation (to a new team member)",
        subject="You have been added to {{ studio.name }} on FocusFlow",
        body="""Hello,

{{ invite.invited_by }} has added you to the team of {{ studio.name }} on FocusFlow, as {{ invite.role }}.

Choose your password here to sign in (the link works once): {{ invite.setup_link }}

Sign in at {{ invite.admin_link }} with your e-mail address ({{ invite.email }}).

If you did not expect this, you can ignore this e-mail.""",
        variables=VARIABLES,
        values=values,
        sample=SAMPLE,
        audience="team",
    ),
]
