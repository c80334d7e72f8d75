package escalation

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StoreSection is the store section of a config file, as it is read (the
// mapstructure tags are its keys): where tickets live.
type StoreSection struct {
	// Backend is "embedded" (a file, nothing to install) or "redis".
	Backend string `mapstructure:"backend"`
	// Path is the embedded store's file; empty means chatdesk.db in
	// bot.data_dir. Relative to the config file; after loading, resolved.
	Path  string       `mapstructure:"path"`
	Redis RedisSection `mapstructure:"redis"`
}

// RedisSection reaches Redis: one address for a standalone server,
// several for a Cluster, or Sentinels with master_name.
type RedisSection struct {
	Addrs []string `mapstructure:"addrs"`
	DB    int      `mapstructure:"db"`
	// Password comes from the environment only
	// (CHATDESK_STORE_REDIS_PASSWORD).
	Password   string `mapstructure:"password"`
	MasterName string `mapstructure:"master_name"`
	KeyPrefix  string `mapstructure:"key_prefix"`
}

// Address is the way to the Redis the section names.
func (r RedisSection) Address() RedisAddress {
	return RedisAddress{Addrs: r.Addrs, DB: r.DB, Password: r.Password, MasterName: r.MasterName}
}

// Check reports every problem with the store section, as a field path
// relative to it ("redis.addrs[1]") and a message. It first trims and
// lowercases Backend, so what it checks is what the bot opens.
func (s *StoreSection) Check(report func(field, msg string)) {
	s.Backend = strings.ToLower(strings.TrimSpace(s.Backend))
	switch s.Backend {
	case "embedded":
	case "redis":
		if len(s.Redis.Addrs) == 0 {
			report("redis.addrs", "list the Redis address(es), e.g. [127.0.0.1:6379]")
		}
		for i, a := range s.Redis.Addrs {
			if !isHostPort(a) {
				report(fmt.Sprintf("redis.addrs[%d]", i), fmt.Sprintf("want host:port, got %q", a))
			}
		}
		if s.Redis.DB < 0 {
			report("redis.db", "must not be negative")
		}
		if s.Redis.DB != 0 && len(s.Redis.Addrs) > 1 && s.Redis.MasterName == "" {
			report("redis.db", "a Redis Cluster (several addrs, no master_name) has only db 0")
		}
	default:
		report("backend", fmt.Sprintf("want embedded or redis, got %q", s.Backend))
	}
}

// isHostPort reports whether addr is host:port with a host and a numeric
// port, the form go-redis dials.
func isHostPort(addr string) bool {
	i := strings.LastIndex(addr, ":")
	if i <= 0 {
		return false
	}
	_, err := strconv.Atoi(addr[i+1:])
	return err == nil
}

// StoreDefaults are the keys of a store section, relative to it
// ("redis.addrs"), with the values a config that says nothing gets: the
// embedded store, and a local Redis when the backend is redis.
func StoreDefaults() map[string]any {
	return map[string]any{
		"backend": "embedded", "path": "",
		"redis.addrs": []any{"127.0.0.1:6379"}, "redis.db": 0, "redis.password": "",
		"redis.master_name": "", "redis.key_prefix": DefaultRedisPrefix,
	}
}

// Defaults of the escalation section where Settings' zero value differs:
// there zero turns crowds and reminders off, but a config that says
// nothing gets both.
const (
	DefaultCrowdViewers  = 3
	DefaultFirstResponse = 10 * time.Minute
)

// SectionDefaults are the keys of an escalation section, relative to it
// ("sla.first_response"), with the values a config that says nothing gets.
// Durations are strings, as a config file writes them.
func SectionDefaults() map[string]any {
	return map[string]any{
		"enabled": true, "mentions": true,
		"crowd.viewers": DefaultCrowdViewers, "crowd.within": DefaultCrowdWithin.String(),
		"sla.first_response": DefaultFirstResponse.String(), "sla.remind_every": DefaultRemindEvery.String(),
		"claim_lease": DefaultClaimLease.String(), "delivery_expiry": DefaultDeliveryExpiry.String(),
		"away_after": DefaultAwayAfter.String(), "suggest_delete": true,
	}
}

// Section is the escalation section of a config file, as it is read:
// when questions become tickets and what the bot promises about them. A
// channel's ChannelSection changes what it names.
type Section struct {
	Enabled bool `mapstructure:"enabled"`
	// Mentions files a ticket for a question to the bot or the streamer
	// that the FAQ cannot answer.
	Mentions bool         `mapstructure:"mentions"`
	Crowd    CrowdSection `mapstructure:"crowd"`
	SLA      SLASection   `mapstructure:"sla"`
	// ClaimLease is how long !claim keeps a ticket a moderator's.
	ClaimLease time.Duration `mapstructure:"claim_lease"`
	// DeliveryExpiry is how long an answer waits for a viewer who left.
	DeliveryExpiry time.Duration `mapstructure:"delivery_expiry"`
	// AwayAfter: a viewer silent this long gets the answer when they are
	// back rather than at once.
	AwayAfter time.Duration `mapstructure:"away_after"`
	// SuggestDelete deletes a viewer's !suggest from chat once it is in
	// the box, where the bot is a moderator.
	SuggestDelete bool `mapstructure:"suggest_delete"`
}

// CrowdSection: Viewers different viewers asking the same unanswered
// question within Within file a ticket; 0 viewers turns it off.
type CrowdSection struct {
	Viewers int           `mapstructure:"viewers"`
	Within  time.Duration `mapstructure:"within"`
}

// SLASection is the response promise.
type SLASection struct {
	// FirstResponse: moderators are reminded of tickets unanswered this
	// long; 0 turns reminders off.
	FirstResponse time.Duration `mapstructure:"first_response"`
	// RemindEvery is the least time between reminders.
	RemindEvery time.Duration `mapstructure:"remind_every"`
}

// ChannelSection changes the escalation section for one channel; what it
// leaves out (nil, or a zero duration) is inherited.
type ChannelSection struct {
	Enabled  *bool               `mapstructure:"enabled"`
	Mentions *bool               `mapstructure:"mentions"`
	Crowd    ChannelCrowdSection `mapstructure:"crowd"`
	SLA      SLASection          `mapstructure:"sla"`
	// SuggestDelete: nil inherits.
	SuggestDelete *bool `mapstructure:"suggest_delete"`
}

// ChannelCrowdSection is CrowdSection with "inherit" expressible.
type ChannelCrowdSection struct {
	Viewers *int          `mapstructure:"viewers"`
	Within  time.Duration `mapstructure:"within"`
}

// Settings merges the section with a channel's changes into the channel's
// desk settings, and says whether the channel has a desk at all.
func (e Section) Settings(ce ChannelSection) (Settings, bool) {
	s := Settings{
		FirstResponse: e.SLA.FirstResponse, RemindEvery: e.SLA.RemindEvery, ClaimLease: e.ClaimLease,
		DeliveryExpiry: e.DeliveryExpiry, AwayAfter: e.AwayAfter,
		CrowdViewers: e.Crowd.Viewers, CrowdWithin: e.Crowd.Within, Mentions: e.Mentions,
		SuggestDelete: e.SuggestDelete,
	}
	enabled := e.Enabled
	if ce.Enabled != nil {
		enabled = *ce.Enabled
	}
	if ce.Mentions != nil {
		s.Mentions = *ce.Mentions
	}
	if ce.SuggestDelete != nil {
		s.SuggestDelete = *ce.SuggestDelete
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

// Check reports every problem with the section, as a field path relative
// to it ("crowd.viewers") and a message.
func (e Section) Check(report func(field, msg string)) {
	checkDurations(report, []namedDuration{
		{"sla.first_response", e.SLA.FirstResponse}, {"sla.remind_every", e.SLA.RemindEvery}, {"claim_lease", e.ClaimLease},
		{"delivery_expiry", e.DeliveryExpiry}, {"away_after", e.AwayAfter}, {"crowd.within", e.Crowd.Within},
	})
	checkCrowd(report, e.Crowd.Viewers)
}

// Check reports every problem with a channel's section, as Section.Check
// does.
func (ce ChannelSection) Check(report func(field, msg string)) {
	checkDurations(report, []namedDuration{
		{"sla.first_response", ce.SLA.FirstResponse}, {"sla.remind_every", ce.SLA.RemindEvery}, {"crowd.within", ce.Crowd.Within},
	})
	if ce.Crowd.Viewers != nil {
		checkCrowd(report, *ce.Crowd.Viewers)
	}
}

// namedDuration is a duration field and its key; a list of them, not a
// map, so problems come in the same order on every run.
type namedDuration struct {
	field string
	d     time.Duration
}

func checkDurations(report func(field, msg string), ds []namedDuration) {
	for _, nd := range ds {
		if nd.d < 0 {
			report(nd.field, "must not be negative")
		}
	}
}

// checkCrowd: one viewer is no crowd; that is what Mentions and !ask are
// for.
func checkCrowd(report func(field, msg string), n int) {
	if n == 1 || n < 0 {
		report("crowd.viewers", fmt.Sprintf("want 0 (off) or at least 2 viewers, got %d", n))
	}
}
