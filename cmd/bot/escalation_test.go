package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

const deskConfig = `bot:
  data_dir: data
store:
  backend: embedded
escalation:
  sla: {first_response: 5m, remind_every: 2m}
  claim_lease: 10m
  crowd: {viewers: 3, within: 2m}
channels:
  - name: mira
    faq: [FAQ]
    escalation:
      mentions: false
      crowd: {viewers: 4}
  - name: otto
    faq: [FAQ]
    escalation:
      enabled: false
`

func TestEscalationConfig(t *testing.T) {
	path := writeConfig(t, deskConfig)
	cfg, err := loadConfig(path, []string{"CHATDESK_ESCALATION_DELIVERY_EXPIRY=2h", "CHATDESK_ESCALATION_CROWD_WITHIN=3m"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store.Backend != "embedded" || cfg.Store.Path != filepath.Join(filepath.Dir(path), "data", "chatdesk.db") {
		t.Errorf("store %q at %s; want embedded in data/ beside the config", cfg.Store.Backend, cfg.Store.Path)
	}
	mira, on := cfg.Escalation.Settings(cfg.Channels[0].Escalation)
	want := escalation.Settings{
		FirstResponse: 5 * time.Minute, RemindEvery: 2 * time.Minute, ClaimLease: 10 * time.Minute,
		DeliveryExpiry: 2 * time.Hour, AwayAfter: 10 * time.Minute, CrowdViewers: 4, CrowdWithin: 3 * time.Minute, Mentions: false,
		SuggestDelete: true,
	}
	if !on || mira != want {
		t.Errorf("#mira desk = %+v (on %v)\nwant %+v", mira, on, want)
	}
	if _, on := cfg.Escalation.Settings(cfg.Channels[1].Escalation); on {
		t.Error("#otto's desk is on; its section turns it off")
	}
	if learnedPath(cfg, "mira") != filepath.Join(filepath.Dir(path), "data", "learned", "mira.yaml") {
		t.Errorf("learned file at %s", learnedPath(cfg, "mira"))
	}

	cfg, err = loadConfig(writeConfig(t, "channels: [{name: mira, faq: [FAQ]}]\n"), []string{
		"CHATDESK_STORE_BACKEND=redis", "CHATDESK_STORE_REDIS_ADDRS=10.0.0.1:6379,10.0.0.2:6379",
		"CHATDESK_STORE_REDIS_PASSWORD=hunter2", "CHATDESK_STORE_REDIS_KEY_PREFIX=desk:",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Store.Redis
	if cfg.Store.Backend != "redis" || fmt.Sprint(r.Addrs) != "[10.0.0.1:6379 10.0.0.2:6379]" || r.Password != "hunter2" || r.KeyPrefix != "desk:" {
		t.Errorf("redis from the environment = %s %+v", cfg.Store.Backend, r)
	}
	if d := cfg.Escalation; !d.Enabled || !d.Mentions || d.Crowd.Viewers != 3 || d.SLA.FirstResponse != 10*time.Minute || d.DeliveryExpiry != 24*time.Hour {
		t.Errorf("defaults = %+v", d)
	}
}

func TestEscalationConfigProblems(t *testing.T) {
	path := writeConfig(t, `store:
  backend: mysql
  redis:
    password: hunter2
escalation:
  crowd: {viewers: 1}
  claim_lease: -5m
  sla: {first_response: soon}
channels:
  - name: mira
    faq: [FAQ]
    escalation:
      crowd: {viewers: -2}
      mentions: maybe
`)
	_, err := loadConfig(path, nil)
	if err == nil {
		t.Fatal("loadConfig accepted a broken escalation section")
	}
	got := err.Error()
	for _, want := range []string{
		":4: store.redis.password: secrets do not belong in the config file; set CHATDESK_STORE_REDIS_PASSWORD",
		`:8: escalation.sla.first_response: want a duration like 90s or 2m, got "soon"`,
		`:14: channels[0].escalation.mentions: want true or false, got "maybe"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nwant one ending %q", got, want)
		}
	}
	if strings.Contains(got, "hunter2") {
		t.Errorf("the password is shown:\n%s", got)
	}

	path = writeConfig(t, `store:
  backend: mysql
escalation:
  crowd: {viewers: 1}
  claim_lease: -5m
channels:
  - name: mira
    faq: [FAQ]
    escalation:
      crowd: {viewers: -2}
`)
	_, err = loadConfig(path, nil)
	if err == nil {
		t.Fatal("loadConfig accepted a broken escalation section")
	}
	got = err.Error()
	for _, want := range []string{
		`:2: store.backend: want embedded or redis, got "mysql"`,
		`:4: escalation.crowd.viewers: want 0 (off) or at least 2 viewers, got 1`,
		`:5: escalation.claim_lease: must not be negative`,
		`:10: channels[0].escalation.crowd.viewers: want 0 (off) or at least 2 viewers, got -2`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nwant one ending %q", got, want)
		}
	}

	_, err = loadConfig(writeConfig(t, "store: {backend: redis, redis: {addrs: [nohost]}}\nchannels: [{name: mira, faq: [FAQ]}]\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `store.redis.addrs[0]: want host:port, got "nohost"`) {
		t.Errorf("bad redis address: %v", err)
	}
	_, err = loadConfig(writeConfig(t, "channels: [{name: mira, faq: [FAQ]}]\n"), []string{"CHATDESK_ESCALATION_CROWD_VIEWERS=lots", "CHATDESK_ESCALATION_CLAIM_LEASE=soon"})
	if err == nil || !strings.Contains(err.Error(), `CHATDESK_ESCALATION_CROWD_VIEWERS: want a whole number, got "lots"`) ||
		!strings.Contains(err.Error(), `CHATDESK_ESCALATION_CLAIM_LEASE: want a duration like 90s or 2m, got "soon"`) {
		t.Errorf("bad environment values: %v", err)
	}
}

// TestConsoleHelpDesk is a moderator working the queue in the console, and
// the queue afterwards in bot tickets.
func TestConsoleHelpDesk(t *testing.T) {
	path := writeConfig(t, "bot: {data_dir: data}\nchannels: [{name: mira, faq: [FAQ]}]\n")
	o := invoke(t, nil, strings.Join([]string{
		"ana: !ask when is the next collab with otto?",
		"bob: !ask collab with otto when?",
		"@mod kim: !tickets",
		"@mod kim: !claim 1",
		"bob: !answer 1 never",
		"@mod lee: !claim 1",
		"@mod kim: !answer 1 Friday at 8pm on Otto's channel",
		"@mod kim: !resolve 1",
		"",
	}, "\n"), "--config", path)
	if o.err != nil {
		t.Fatalf("run: %v\n%s", o.err, o.stderr)
	}
	want := []string{
		"chatdesk ↪ @ana: got it — a moderator will answer (ticket #1)",
		"chatdesk ↪ @bob: +1 — 2 viewers asked that, a moderator will answer, ticket #1",
		"chatdesk ↪ @kim: 1 open, oldest first: #1 new 0s ana +1 “when is the next collab with otto?”",
		"chatdesk ↪ @kim: #1 is yours for 15m — ana +1 asked “when is the next collab with otto?”",
		"chatdesk ↪ @lee: #1 is claimed by kim (15m left on the claim)",
		"chatdesk ↪ @ana you asked “when is the next collab with otto?” (#1): Friday at 8pm on Otto's channel — kim",
		"chatdesk ↪ @bob you asked “when is the next collab with otto?” (#1): Friday at 8pm on Otto's channel — kim",
		"chatdesk ↪ @kim: #1 answered — delivered to ana, bob · !resolve 1 when done, !learn 1 to add it to the FAQ",
		"chatdesk ↪ @kim: #1 resolved ✓",
	}
	got := lines(o.stdout)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("console:\n%s\nwant:\n%s", o.stdout, strings.Join(want, "\n"))
	}

	o = invoke(t, nil, "", "tickets", "list", "--config", path)
	if o.err != nil {
		t.Fatalf("tickets list: %v\n%s", o.err, o.stderr)
	}
	for _, w := range []string{"#mira: 1 ticket, 0 open, 1 resolved", "#1  ", "resolved", "when is the next collab with otto?"} {
		if !strings.Contains(o.stdout, w) {
			t.Errorf("tickets list:\n%s\nwant %q", o.stdout, w)
		}
	}
}

// TestConsoleEmptyRunLeavesNoStore: a bot that never filed a ticket leaves
// no store file behind.
func TestConsoleEmptyRunLeavesNoStore(t *testing.T) {
	path := writeConfig(t, "bot: {data_dir: data}\nchannels: [{name: mira, faq: [FAQ]}]\n")
	o := invoke(t, nil, "ana: what colour is the teapot?\n", "--config", path)
	if o.err != nil {
		t.Fatal(o.err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "data", "chatdesk.db")); !os.IsNotExist(err) {
		t.Errorf("store file after a run without tickets: %v", err)
	}
}

// TestLearnAcrossRestarts: !learn makes the answer live at once, and the
// next run of the bot answers from the learned file without a moderator.
func TestLearnAcrossRestarts(t *testing.T) {
	path := writeConfig(t, "bot: {data_dir: data}\nanswer: {reload_interval: 0s}\nchannels: [{name: mira, faq: [FAQ]}]\n")
	o := invoke(t, nil, strings.Join([]string{
		"ana: !ask is the merch store open on weekends?",
		"@mod kim: !answer 1 yes: Sat & Sun, 10-18 \"CET\" # not a comment",
		"@mod kim: !learn 1",
		"bob: is the merch store open on weekends?",
		"",
	}, "\n"), "--config", path)
	if o.err != nil {
		t.Fatalf("run: %v\n%s", o.err, o.stderr)
	}
	got := lines(o.stdout)
	if len(got) < 2 || got[len(got)-2] != `chatdesk ↪ @kim: learned ✓ — I'll answer “is the merch store open on weekends?” myself from now on (FAQ entry "learned-1")` ||
		got[len(got)-1] != `chatdesk ↪ @bob: yes: Sat & Sun, 10-18 "CET" # not a comment` {
		t.Fatalf("console:\n%s", o.stdout)
	}
	o = invoke(t, nil, "cy: merch store open on weekends?\n", "--config", path)
	if o.err != nil || strings.TrimSpace(o.stdout) != `chatdesk ↪ @cy: yes: Sat & Sun, 10-18 "CET" # not a comment` {
		t.Fatalf("after a restart: %v\n%s\n%s", o.err, o.stdout, o.stderr)
	}
	o = invoke(t, nil, "", "check", "--config", path)
	if o.err != nil || !strings.Contains(o.stdout, "3 FAQ entries") {
		t.Errorf("check with the learned file: %v\n%s%s", o.err, o.stdout, o.stderr)
	}
}

// TestReplayShowsEscalations: replay files tickets in a dry run — the
// output says what would be escalated, and nothing is written.
func TestReplayShowsEscalations(t *testing.T) {
	path := writeConfig(t, "bot: {data_dir: data}\nchannels: [{name: mira, faq: [FAQ]}]\n")
	chatFile := filepath.Join(filepath.Dir(path), "chat.txt")
	if err := os.WriteFile(chatFile, []byte(strings.Join([]string{
		"ana: is there a discord server?",
		"bob: discord server??",
		"cy: anyone know if there's a discord server",
		"dan: @mira when is the next collab?",
		"eve: !ask what keyboard do you use",
		"fay: what colour is the teapot?",
		"",
	}, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	o := invoke(t, nil, "", "replay", "--config", path, chatFile)
	if o.err != nil {
		t.Fatalf("replay: %v\n%s", o.err, o.stderr)
	}
	var got []string
	for _, d := range decodeReplay(t, o.stdout) {
		got = append(got, fmt.Sprintf("%s %s", d["action"], d["ticket"]))
	}
	want := "[ignore  ignore  escalate #1 escalate #2 escalate #3 answer ]"
	if fmt.Sprint(got) != want {
		t.Errorf("replay actions %v; want %s\n%s", got, want, o.stdout)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "data")); !os.IsNotExist(err) {
		t.Errorf("replay wrote to the data directory: %v", err)
	}
}

// TestTwitchHelpDesk goes end to end through the fake Twitch chat server:
// !ask → ticket → !tickets → !claim → !answer → the viewer's threaded reply.
// A viewer's !answer does nothing.
func TestTwitchHelpDesk(t *testing.T) {
	b := startLive(t, liveOptions{})
	c := b.irc.NextLogin(1)
	say := func(id, user, badges, text string) {
		c.Say(twitchtest.Chat{Channel: "mira", ID: id, User: user, Badges: badges, Text: text})
	}
	expect := func(parent, text string) {
		t.Helper()
		line := b.nextPrivmsg(c)
		if got := twitchtest.Tag(line, "reply-parent-msg-id"); got != parent {
			t.Errorf("reply %q threads under %q; want %q", line, got, parent)
		}
		if got := twitchtest.Text(line); !strings.Contains(got, text) {
			t.Errorf("bot said %q; want it to contain %q", got, text)
		}
	}
	say("q-1", "ana", "", "!ask when is the next collab with otto?")
	expect("q-1", "got it — a moderator will answer (ticket #1)")
	say("t-1", "kim", "moderator/1", "!tickets")
	expect("t-1", "1 open, oldest first: #1 new")
	say("c-1", "kim", "moderator/1", "!claim 1")
	expect("c-1", "#1 is yours")
	say("x-1", "bob", "", "!answer 1 nope")
	say("a-1", "kim", "moderator/1", "!answer 1 Friday at 8pm")
	expect("q-1", "@ana you asked “when is the next collab with otto?” (#1): Friday at 8pm — kim")
	expect("a-1", "#1 answered — delivered to ana")
	say("r-1", "kim", "moderator/1", "!ticket 1")
	expect("r-1", "#1 question · answered")
}
