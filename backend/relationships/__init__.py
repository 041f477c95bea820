"""One contact = one stream: the informational-interview relationship from first contact to referral."""
