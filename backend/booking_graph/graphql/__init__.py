"""GraphQL plumbing shared by every app: error translation, pagination, security limits, session auth."""
