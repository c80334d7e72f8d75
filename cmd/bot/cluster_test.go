package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/cluster"
	"github.com/chatdesk/chatdesk/internal/cluster/clustertest"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// clusterConfigEnv tells the test binary, run again as a bot instance, which
// config to run with.
const clusterConfigEnv = "CHATDESK_TEST_CLUSTER_CONFIG"

// TestClusterInstanceProcess is not a test: it is `bot run` inside a child
// process of TestClusterThreeInstances, which kills it with SIGKILL.
func TestClusterInstanceProcess(t *testing.T) {
	path := os.Getenv(clusterConfigEnv)
	if path == "" {
		t.Skip("a bot instance for TestClusterThreeInstances, run only by it")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	a := &app{env: os.Environ(), stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stderr}
	if err := a.execute(ctx, []string{"run", "--config", path}); err != nil {
		t.Fatal(err)
	}
}

// clusterInstance is one bot process of the test and its chat connection.
type clusterInstance struct {
	name   string
	cmd    *exec.Cmd
	stderr *twitchtest.Log
	conn   *twitchtest.Conn
	health string
}

// held asks the instance's /healthz which channels it works.
func (in *clusterInstance) held(t *testing.T) []string {
	resp, err := http.Get(in.health)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var st struct {
		Cluster struct {
			Instance string
			Held     []string `json:"held_channels"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Errorf("%s /healthz: %v", in.name, err)
	}
	if st.Cluster.Instance != in.name {
		t.Errorf("%s /healthz names instance %q", in.name, st.Cluster.Instance)
	}
	return st.Cluster.Held
}

// replies records every threaded reply any instance posts, by the id of
// the message it answers.
type replies struct {
	mu   sync.Mutex
	by   map[string][]string // message id → instances that replied
	seen chan struct{}
}

func (r *replies) record(instance string, c *twitchtest.Conn) {
	for l := range c.Lines() {
		if !strings.HasPrefix(twitchtest.Command(l), "PRIVMSG") {
			continue
		}
		if id := twitchtest.Tag(l, "reply-parent-msg-id"); id != "" {
			r.mu.Lock()
			r.by[id] = append(r.by[id], instance)
			r.mu.Unlock()
			select {
			case r.seen <- struct{}{}:
			default:
			}
		}
	}
}

// waitAll waits until every id has a reply; it fails the test on any
// message answered twice.
func (r *replies) waitAll(t *testing.T, ids []string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		r.mu.Lock()
		missing := 0
		for _, id := range ids {
			if len(r.by[id]) == 0 {
				missing++
			}
		}
		for id, who := range r.by {
			if len(who) > 1 {
				t.Errorf("message %s answered %d times, by %v", id, len(who), who)
			}
		}
		r.mu.Unlock()
		if missing == 0 || t.Failed() {
			return
		}
		select {
		case <-r.seen:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("%d of %d questions unanswered after 30s", missing, len(ids))
		}
	}
}

// TestClusterThreeInstances runs three `bot run` processes behind one
// private redis-server, sharing 30 channels of the in-process fake Twitch,
// which sends every chat line to all three as Twitch would. Each channel is
// worked by one instance; one is killed with SIGKILL and the other two
// serve its channels within 10 s; one stops cleanly and hands its channels
// over at once. The fake records every reply: no question is answered twice.
//
// The instances are child processes of the test binary rather than
// goroutines because only a process can be killed the way a crash kills:
// no deferred release, no last renewal, its connections cut by the kernel.
func TestClusterThreeInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three bot processes and a redis-server")
	}
	redisAddr := clustertest.StartRedis(t)
	irc := twitchtest.NewIRC(t)
	helix := twitchtest.NewHelix(t, liveToken, "deskbot")
	demo, err := filepath.Abs("../../faq/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var channels []string
	var chans strings.Builder
	for i := range 30 {
		ch := fmt.Sprintf("chan%02d", i)
		channels = append(channels, ch)
		irc.SetBadges(ch, "moderator/1") // the bot moderates: 100 messages per 30 s
		fmt.Fprintf(&chans, "  - name: %s\n    faq: [%q]\n", ch, demo)
	}

	rec := &replies{by: map[string][]string{}, seen: make(chan struct{}, 1)}
	healthURL := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/healthz)`)
	var instances []*clusterInstance
	for _, name := range []string{"a", "b", "c"} {
		dir := t.TempDir()
		cfg := fmt.Sprintf(`bot:
  name: deskbot
  log_level: info
  data_dir: %q
answer:
  reload_interval: 0s
moderation:
  fetch_emotes: false   # the test has no internet; third-party emotes are tested apart
store:
  backend: redis
  redis:
    addrs: [%s]
    key_prefix: "clustertest:"
cluster:
  enabled: true
  instance: %s
channels:
%stwitch:
  username: deskbot
  irc_address: %s
  tls: false
  api_url: %s
  auth_url: %s
http:
  addr: 127.0.0.1:0
`, dir, redisAddr, name, chans.String(), irc.Addr(), helix.APIURL(), helix.AuthURL())
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		in := &clusterInstance{name: name, stderr: &twitchtest.Log{}}
		in.cmd = exec.Command(os.Args[0], "-test.run=^TestClusterInstanceProcess$", "-test.v")
		var env []string
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "CHATDESK_") || strings.HasPrefix(k, "CHATDESK_TEST_") {
				env = append(env, kv)
			}
		}
		in.cmd.Env = append(env, clusterConfigEnv+"="+path, "CHATDESK_TWITCH_TOKEN="+liveToken)
		in.cmd.Stdout, in.cmd.Stderr = in.stderr, in.stderr
		if err := in.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = in.cmd.Process.Kill()
			_, _ = in.cmd.Process.Wait()
			if t.Failed() {
				t.Logf("instance %s:\n%s", in.name, in.stderr)
			}
		})
		instances = append(instances, in)
		// One at a time, so each chat connection is known to be this
		// process's: the one to stop sending to when it is killed.
		select {
		case c := <-irc.Accepted():
			in.conn = c
		case <-time.After(60 * time.Second):
			t.Fatalf("instance %s did not log in within 60s:\n%s", name, in.stderr)
		}
		go rec.record(in.name, in.conn)
	}
	for _, in := range instances {
		// Twitch lets an account join 20 channels per 10 s, so the last
		// ten come some 11 s after the rest.
		for i := 0; !strings.Contains(in.stderr.String(), `msg="joined every twitch channel" channels=30`); i++ {
			if i > 3000 {
				t.Fatalf("instance %s did not join 30 channels within 30s:\n%s", in.name, in.stderr)
			}
			time.Sleep(10 * time.Millisecond)
		}
		for i := 0; in.health == ""; i++ {
			if m := healthURL.FindStringSubmatch(in.stderr.String()); m != nil {
				in.health = m[1]
			} else if i > 1000 {
				t.Fatalf("instance %s logs no health endpoint:\n%s", in.name, in.stderr)
			} else {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}

	// shared waits until the live instances hold every channel, each once,
	// in even shares.
	shared := func(live []*clusterInstance, limit time.Duration) (time.Duration, []int) {
		t.Helper()
		start := time.Now()
		for {
			var all []string
			var each []int
			for _, in := range live {
				h := in.held(t)
				all = append(all, h...)
				each = append(each, len(h))
			}
			slices.Sort(all)
			if slices.Equal(all, channels) && slices.Max(each) == len(channels)/len(live) {
				return time.Since(start), each
			}
			if time.Since(start) > limit {
				t.Fatalf("after %s the instances hold %d channels (%v); want all 30, each once, evenly", limit, len(all), each)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	ask := func(round, text string, live []*clusterInstance) []string {
		var ids []string
		for _, ch := range channels {
			id := round + "-" + ch
			ids = append(ids, id)
			for _, in := range live {
				in.conn.Say(twitchtest.Chat{Channel: ch, ID: id, User: "viewer_" + round, Text: text})
			}
		}
		return ids
	}

	_, each := shared(instances, 30*time.Second)
	t.Logf("30 channels shared %v", each)
	rec.waitAll(t, ask("r1", "when do you stream?", instances))

	// SIGKILL: no release, no last renewal.
	dead := instances[2]
	if err := dead.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = dead.cmd.Process.Wait()
	live := instances[:2]
	took, each := shared(live, 10*time.Second)
	t.Logf("a killed instance's channels served by the others %s later, shared %v", took.Round(10*time.Millisecond), each)
	rec.waitAll(t, ask("r2", "is there a discord", live))

	// A clean stop releases at once: the last instance takes everything
	// sooner than a lease would run out.
	gone := instances[1]
	if err := gone.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _ = gone.cmd.Process.Wait()
	took, _ = shared(instances[:1], 10*time.Second)
	if took >= cluster.DefaultTTL {
		t.Errorf("a cleanly stopped instance's channels taken over %s later; want sooner than a lease runs out (%s)", took, cluster.DefaultTTL)
	}
	rec.waitAll(t, ask("r3", "what pc do you have", instances[:1]))
}
