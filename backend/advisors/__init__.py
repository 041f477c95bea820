"""Advisors: accounts, invite codes, the consent students give them, and the one authorization check."""
