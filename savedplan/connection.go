package savedplan

// Connection is how the plan's hosts were reached: the command-line
// settings `tend plan` was given (or took from ansible.cfg), so that `tend
// apply PLAN`, as plan prints it, reaches the hosts the same way. It holds
// paths and names, never secrets: a key's passphrase, the become password
// and vault passwords are asked again (AskBecomePass, AskVaultPass), and
// files are named, not copied. Relative paths are stored absolute. Flags
// given to apply win over these.
type Connection struct {
	User            string `json:"user,omitempty"`
	PrivateKey      string `json:"private_key,omitempty"`
	KnownHosts      string `json:"known_hosts,omitempty"`
	SSHConfig       string `json:"ssh_config,omitempty"` // a file, or "none"
	HostKeyChecking string `json:"host_key_checking,omitempty"`
	// Timeout is -T as given ("30s"), empty for the default.
	Timeout       string `json:"timeout,omitempty"`
	AskBecomePass bool   `json:"ask_become_pass,omitempty"`
	// VaultIDs and VaultPasswordFiles are --vault-id and
	// --vault-password-file (files, or "LABEL@prompt").
	VaultIDs           []string `json:"vault_ids,omitempty"`
	VaultPasswordFiles []string `json:"vault_password_files,omitempty"`
	AskVaultPass       bool     `json:"ask_vault_pass,omitempty"`
	// DigestKey is --digest-key's file, when plan was given one.
	DigestKey string `json:"digest_key,omitempty"`
}
