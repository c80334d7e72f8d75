package cluster

// Section is the config's cluster section.
type Section struct {
	// Enabled shares the configured channels out among every instance
	// using the same Redis store (store.backend: redis).
	Enabled bool `mapstructure:"enabled"`
	// Instance names this instance; empty: its host name and process id.
	Instance string `mapstructure:"instance"`
}

// SectionDefaults are the section's keys and their defaults.
func SectionDefaults() map[string]any {
	return map[string]any{"enabled": false, "instance": ""}
}

// Check reports the section's problems given the store's backend, as a
// field path relative to the section and a message.
func (s Section) Check(backend string, report func(field, msg string)) {
	if s.Enabled && backend != "redis" {
		report("enabled", "sharing channels needs store.backend: redis, which every instance uses; got "+backend)
	}
}
