package escalation

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestSectionSettings(t *testing.T) {
	top := Section{
		Enabled: true, Mentions: true, SuggestDelete: true,
		Crowd:      CrowdSection{Viewers: 3, Within: 2 * time.Minute},
		SLA:        SLASection{FirstResponse: 5 * time.Minute, RemindEvery: 2 * time.Minute},
		ClaimLease: 10 * time.Minute, DeliveryExpiry: time.Hour, AwayAfter: 7 * time.Minute,
	}
	four, off := 4, false
	tests := []struct {
		name    string
		channel ChannelSection
		want    Settings
		enabled bool
	}{
		{"inherits everything", ChannelSection{}, Settings{
			FirstResponse: 5 * time.Minute, RemindEvery: 2 * time.Minute, ClaimLease: 10 * time.Minute,
			DeliveryExpiry: time.Hour, AwayAfter: 7 * time.Minute, CrowdViewers: 3, CrowdWithin: 2 * time.Minute, Mentions: true,
			SuggestDelete: true,
		}, true},
		{"changes what it names", ChannelSection{
			Mentions: &off, Crowd: ChannelCrowdSection{Viewers: &four, Within: time.Minute},
			SLA:           SLASection{FirstResponse: time.Minute, RemindEvery: 30 * time.Second},
			SuggestDelete: &off,
		}, Settings{
			FirstResponse: time.Minute, RemindEvery: 30 * time.Second, ClaimLease: 10 * time.Minute,
			DeliveryExpiry: time.Hour, AwayAfter: 7 * time.Minute, CrowdViewers: 4, CrowdWithin: time.Minute, Mentions: false,
		}, true},
		{"turns the desk off", ChannelSection{Enabled: &off}, Settings{
			FirstResponse: 5 * time.Minute, RemindEvery: 2 * time.Minute, ClaimLease: 10 * time.Minute,
			DeliveryExpiry: time.Hour, AwayAfter: 7 * time.Minute, CrowdViewers: 3, CrowdWithin: 2 * time.Minute, Mentions: true,
			SuggestDelete: true,
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enabled := top.Settings(tt.channel)
			if got != tt.want || enabled != tt.enabled {
				t.Errorf("Settings = %+v, %v\nwant       %+v, %v", got, enabled, tt.want, tt.enabled)
			}
		})
	}
}

func collect(check func(report func(field, msg string))) []string {
	var got []string
	check(func(field, msg string) { got = append(got, field+": "+msg) })
	return got
}

func TestStoreSectionCheck(t *testing.T) {
	tests := []struct {
		name    string
		s       StoreSection
		backend string
		want    []string
	}{
		{"embedded", StoreSection{Backend: " Embedded "}, "embedded", nil},
		{"redis", StoreSection{Backend: "redis", Redis: RedisSection{Addrs: []string{"127.0.0.1:6379"}, DB: 2}}, "redis", nil},
		{"sentinels may pick a db", StoreSection{Backend: "redis", Redis: RedisSection{Addrs: []string{"a:26379", "b:26379"}, DB: 2, MasterName: "m"}}, "redis", nil},
		{"unknown backend", StoreSection{Backend: "MySQL"}, "mysql", []string{`backend: want embedded or redis, got "mysql"`}},
		{"no address", StoreSection{Backend: "redis"}, "redis", []string{"redis.addrs: list the Redis address(es), e.g. [127.0.0.1:6379]"}},
		{"bad addresses", StoreSection{Backend: "redis", Redis: RedisSection{Addrs: []string{"host", ":6379", "h:port", "h:1"}, DB: -1}}, "redis", []string{
			`redis.addrs[0]: want host:port, got "host"`,
			`redis.addrs[1]: want host:port, got ":6379"`,
			`redis.addrs[2]: want host:port, got "h:port"`,
			"redis.db: must not be negative",
			"redis.db: a Redis Cluster (several addrs, no master_name) has only db 0",
		}},
		{"a cluster has db 0 only", StoreSection{Backend: "redis", Redis: RedisSection{Addrs: []string{"a:1", "b:1"}, DB: 1}}, "redis", []string{
			"redis.db: a Redis Cluster (several addrs, no master_name) has only db 0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(tt.s.Check)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check:\ngot  %q\nwant %q", got, tt.want)
			}
			if tt.s.Backend != tt.backend {
				t.Errorf("backend after Check = %q; want %q", tt.s.Backend, tt.backend)
			}
		})
	}
}

func TestSectionCheck(t *testing.T) {
	bad := Section{
		Crowd:      CrowdSection{Viewers: 1, Within: -time.Second},
		SLA:        SLASection{FirstResponse: -time.Second, RemindEvery: -time.Second},
		ClaimLease: -time.Second, DeliveryExpiry: -time.Second, AwayAfter: -time.Second,
	}
	want := []string{
		"sla.first_response: must not be negative", "sla.remind_every: must not be negative", "claim_lease: must not be negative",
		"delivery_expiry: must not be negative", "away_after: must not be negative", "crowd.within: must not be negative",
		"crowd.viewers: want 0 (off) or at least 2 viewers, got 1",
	}
	if got := collect(bad.Check); !slices.Equal(got, want) {
		t.Errorf("Check:\ngot  %q\nwant %q", got, want)
	}
	if got := collect(Section{Crowd: CrowdSection{Viewers: 0}}.Check); got != nil {
		t.Errorf("a crowd of 0 (off): %q; want no problem", got)
	}
	minus := -2
	ch := ChannelSection{Crowd: ChannelCrowdSection{Viewers: &minus, Within: -time.Second}, SLA: SLASection{RemindEvery: -time.Second}}
	want = []string{"sla.remind_every: must not be negative", "crowd.within: must not be negative", "crowd.viewers: want 0 (off) or at least 2 viewers, got -2"}
	if got := collect(ch.Check); !slices.Equal(got, want) {
		t.Errorf("channel Check:\ngot  %q\nwant %q", got, want)
	}
	if got := collect(ChannelSection{}.Check); got != nil {
		t.Errorf("an empty channel section: %q; want no problem", got)
	}
}

// TestSectionDefaults: a config that says nothing gets the desk's own
// defaults, and crowds and reminders on.
func TestSectionDefaults(t *testing.T) {
	want := map[string]any{
		"enabled": true, "mentions": true, "crowd.viewers": 3, "crowd.within": "5m0s",
		"sla.first_response": "10m0s", "sla.remind_every": "5m0s", "claim_lease": "15m0s",
		"delivery_expiry": "24h0m0s", "away_after": "10m0s", "suggest_delete": true,
	}
	if got := SectionDefaults(); !reflect.DeepEqual(got, want) {
		t.Errorf("SectionDefaults = %v; want %v", got, want)
	}
	if got := StoreDefaults(); got["backend"] != "embedded" || got["redis.key_prefix"] != DefaultRedisPrefix {
		t.Errorf("StoreDefaults = %v; want the embedded store and the default key prefix", got)
	}
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		in   string
		want Filter
		err  string
	}{
		{"", Filter{}, ""},
		{"open", Filter{Open: true}, ""},
		{" New, CLAIMED ,,", Filter{States: []State{StateNew, StateClaimed}}, ""},
		{"open,resolved", Filter{Open: true, States: []State{StateResolved}}, ""},
		{"closed", Filter{}, `unknown state "closed" (want open, new, claimed, answered, resolved or dismissed)`},
	}
	for _, tt := range tests {
		got, err := ParseFilter(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseFilter(%q) error = %v; want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseFilter(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}
