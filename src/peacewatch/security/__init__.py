"""Users, authentication, roles and permissions, and the tamper-evident audit chain."""
