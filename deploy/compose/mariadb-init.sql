-- Runs once, when the MariaDB volume is first created (docker-compose.yaml).
-- The sample monitored table, the migration user, and the user Vault creates and drops logins with:
-- it may grant exactly what the bot's role grants (docs/security.md), and nothing else.
CREATE DATABASE IF NOT EXISTS flasktest CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
CREATE TABLE IF NOT EXISTS flasktest.tasks (
  task_id INT AUTO_INCREMENT PRIMARY KEY,
  task_title VARCHAR(50),
  task_status VARCHAR(50),
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) DEFAULT CHARSET=utf8mb4;
INSERT INTO flasktest.tasks (task_title, task_status) VALUES ('build', 'Success'), ('test', 'Pending'), ('deploy', 'Failed');
CREATE USER 'opsline_migrate'@'%' IDENTIFIED BY 'dev-migrate-password';
GRANT CREATE, ALTER, INDEX, SELECT, INSERT ON opsline.* TO 'opsline_migrate'@'%';
CREATE USER 'vault_admin'@'%' IDENTIFIED BY 'dev-vault-admin-password';
GRANT CREATE USER ON *.* TO 'vault_admin'@'%';
GRANT SELECT, INSERT, DELETE ON opsline.* TO 'vault_admin'@'%' WITH GRANT OPTION;
GRANT SELECT ON flasktest.tasks TO 'vault_admin'@'%' WITH GRANT OPTION;
