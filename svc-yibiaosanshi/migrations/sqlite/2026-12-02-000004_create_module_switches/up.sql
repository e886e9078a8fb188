-- The module switches that gate registrations (001 §3: 绑定房屋, 绑定家属), as svc-community last
-- told them. A switch never told is on.
CREATE TABLE module_switches (
    community_identifier TEXT NOT NULL,
    module_name TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (community_identifier, module_name)
);
