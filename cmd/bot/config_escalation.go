package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// StoreConfig says where tickets live.
type StoreConfig struct {
	// Backend is "embedded" (a file, nothing to install) or "redis".
	Backend string `mapstructure:"backend"`
	// Path is the embedded store's file; empty means chatdesk.db in
	// bot.data_dir. Relative to the config file; after loading, resolved.
	Path  string           `mapstructure:"path"`
	Redis RedisStoreConfig `mapstructure:"redis"`
}

// RedisStoreConfig reaches Redis: one address for a standalone server,
// several for a Cluster, or Sentinels with master_name.
type RedisStoreConfig struct {
	Addrs []string `mapstructure:"addrs"`
	DB    int      `mapstructure:"db"`
	// Password comes from CHATDESK_STORE_REDIS_PASSWORD only.
	Password   string `mapstructure:"password"`
	MasterName string `mapstructure:"master_name"`
	KeyPrefix  string `mapstructure:"key_prefix"`
}

// EscalationConfig is the help desk: when questions become tickets and
// what the bot promises about them. A channel's escalation section changes
// what it names.
type EscalationConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Mentions files a ticket for a question to the bot or the streamer
	// that the FAQ cannot answer.
	Mentions bool        `mapstructure:"mentions"`
	Crowd    CrowdConfig `mapstructure:"crowd"`
	SLA      SLAConfig   `mapstructure:"sla"`
	// ClaimLease is how long !claim keeps a ticket a moderator's.
	ClaimLease time.Duration `mapstructure:"claim_lease"`
	// DeliveryExpiry is how long an answer waits for a viewer who left.
	DeliveryExpiry time.Duration `mapstructure:"delivery_expiry"`
	// AwayAfter: a viewer silent this long gets the answer when they are
	// back rather than at once.
	AwayAfter time.Duration `mapstructure:"away_after"`
}

// CrowdConfig: Viewers different viewers asking the same unanswered question
// within Within file a ticket; 0 viewers turns it off.
type CrowdConfig struct {
	Viewers int           `mapstructure:"viewers"`
	Within  time.Duration `mapstructure:"within"`
}

// SLAConfig is the response promise.
type SLAConfig struct {
	// FirstResponse: moderators are reminded of tickets unanswered this
	// long; 0 turns reminders off.
	FirstResponse time.Duration `mapstructure:"first_response"`
	// RemindEvery is the least time between reminders.
	RemindEvery time.Duration `mapstructure:"remind_every"`
}

// ChannelEscalationConfig changes the escalation section for one channel;
// what it leaves out is inherited.
type ChannelEscalationConfig struct {
	Enabled  *bool              `mapstructure:"enabled"`
	Mentions *bool              `mapstructure:"mentions"`
	Crowd    ChannelCrowdConfig `mapstructure:"crowd"`
	SLA      SLAConfig          `mapstructure:"sla"`
}

// ChannelCrowdConfig is CrowdConfig with "inherit" expressible.
type ChannelCrowdConfig struct {
	Viewers *int          `mapstructure:"viewers"`
	Within  time.Duration `mapstructure:"within"`
}

// validateEscalation checks the store and escalation sections, naming the
// field of each problem.
func validateEscalation(c *Config, add func(field, format string, args ...any)) {
	s := &c.Store
	s.Backend = strings.ToLower(strings.TrimSpace(s.Backend))
	switch s.Backend {
	case "embedded":
	case "redis":
		if len(s.Redis.Addrs) == 0 {
			add("store.redis.addrs", "list the Redis address(es), e.g. [127.0.0.1:6379]")
		}
		for i, a := range s.Redis.Addrs {
			if host, _, err := splitHostPort(a); err != nil || host == "" {
				add(fmt.Sprintf("store.redis.addrs[%d]", i), "want host:port, got %q", a)
			}
		}
		if s.Redis.DB < 0 {
			add("store.redis.db", "must not be negative")
		}
		if s.Redis.DB != 0 && len(s.Redis.Addrs) > 1 && s.Redis.MasterName == "" {
			add("store.redis.db", "a Redis Cluster (several addrs, no master_name) has only db 0")
		}
	default:
		add("store.backend", "want embedded or redis, got %q", s.Backend)
	}
	e := c.Escalation
	checkDurations := func(prefix string, ds map[string]time.Duration) {
		for name, d := range ds {
			if d < 0 {
				add(prefix+"."+name, "must not be negative")
			}
		}
	}
	checkCrowd := func(field string, n int) {
		if n == 1 || n < 0 {
			add(field, "want 0 (off) or at least 2 viewers, got %d", n)
		}
	}
	checkDurations("escalation", map[string]time.Duration{
		"sla.first_response": e.SLA.FirstResponse, "sla.remind_every": e.SLA.RemindEvery, "claim_lease": e.ClaimLease,
		"delivery_expiry": e.DeliveryExpiry, "away_after": e.AwayAfter, "crowd.within": e.Crowd.Within,
	})
	checkCrowd("escalation.crowd.viewers", e.Crowd.Viewers)
	for i, ch := range c.Channels {
		f := fmt.Sprintf("channels[%d].escalation", i)
		ce := ch.Escalation
		checkDurations(f, map[string]time.Duration{
			"sla.first_response": ce.SLA.FirstResponse, "sla.remind_every": ce.SLA.RemindEvery, "crowd.within": ce.Crowd.Within,
		})
		if ce.Crowd.Viewers != nil {
			checkCrowd(f+".crowd.viewers", *ce.Crowd.Viewers)
		}
	}
}

// deskSettings merges the escalation section with a channel's changes.
func deskSettings(cfg *Config, cc ChannelConfig) (escalation.Settings, bool) {
	e, ce := cfg.Escalation, cc.Escalation
	s := escalation.Settings{
		FirstResponse: e.SLA.FirstResponse, RemindEvery: e.SLA.RemindEvery, ClaimLease: e.ClaimLease,
		DeliveryExpiry: e.DeliveryExpiry, AwayAfter: e.AwayAfter,
		CrowdViewers: e.Crowd.Viewers, CrowdWithin: e.Crowd.Within, Mentions: e.Mentions,
	}
	enabled := e.Enabled
	if ce.Enabled != nil {
		enabled = *ce.Enabled
	}
	if ce.Mentions != nil {
		s.Mentions = *ce.Mentions
	}
	if ce.Crowd.Viewers != nil {
		s.CrowdViewers = *ce.Crowd.Viewers
	}
	if ce.Crowd.Within != 0 {
		s.CrowdWithin = ce.Crowd.Within
	}
	if ce.SLA.FirstResponse != 0 {
		s.FirstResponse = ce.SLA.FirstResponse
	}
	if ce.SLA.RemindEvery != 0 {
		s.RemindEvery = ce.SLA.RemindEvery
	}
	return s, enabled
}
