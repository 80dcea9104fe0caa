"""Operations: local services, the fixture news site, monitoring and deployment config."""
