"""Rules that several handlers share: users as a viewer sees them, privacy, peers, login, codes, limits, SRP."""
