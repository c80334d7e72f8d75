package escalation_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/escalation"
)

// openRedisAt opens the Redis store on a private server, behind a spool.
func openRedisAt(t *testing.T, srv *redisServer, spoolPath string, log *flushLog) *escalation.Spool {
	t.Helper()
	rs, err := escalation.OpenRedis(context.Background(), srv.client(), escalation.RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return openSpool(t, spoolPath, rs, log)
}

// byMessage counts a channel's tickets by the message that filed them.
func byMessage(t *testing.T, s escalation.Store) map[string]int {
	t.Helper()
	all, err := s.List(context.Background(), "mira", escalation.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	out := map[string]int{}
	for _, tk := range all {
		if seen[tk.Number] {
			t.Errorf("ticket number #%d twice", tk.Number)
		}
		seen[tk.Number] = true
		out[tk.Askers[0].MessageID]++
	}
	return out
}

func TestRedisStoppedMidStream(t *testing.T) {
	ctx := context.Background()
	srv := startRedisServer(t)
	var log flushLog
	s := openRedisAt(t, srv, filepath.Join(t.TempDir(), "spool.db"), &log)
	defer s.Close()
	h := newDesk(t, s, defaultSettings(), nil)
	report := func(i int) chat.Decision {
		return h.said(chat.Message{
			ID: fmt.Sprintf("r%d", i), Channel: "mira", User: fmt.Sprintf("viewer%d", i),
			Text: fmt.Sprintf("!report problem %d", i), Time: h.clk.Now(),
		})
	}
	for i := 1; i <= 5; i++ {
		if d := report(i); d.Ticket != fmt.Sprintf("#%d", i) {
			t.Fatalf("report %d with Redis up = %+v", i, d)
		}
	}
	srv.kill()
	for i := 6; i <= 10; i++ {
		d := report(i)
		if d.Ticket != "" || !strings.Contains(texts(d), "ticket number follows") {
			t.Fatalf("report %d with Redis down = %+v; want it spooled and acknowledged", i, d)
		}
	}
	if s.Len() != 5 {
		t.Fatalf("%d spooled; want 5", s.Len())
	}
	d := h.mod("kim", "!claim 1")
	wantReply(t, d, "unreachable right now")

	srv.restart()
	// The restarted server has no scripts cached: the transitions must
	// survive NOSCRIPT.
	n, err := s.Flush(ctx)
	if n != 5 || err != nil {
		t.Fatalf("Flush = %d, %v; want 5", n, err)
	}
	if n, _ := s.Flush(ctx); n != 0 {
		t.Fatalf("second Flush = %d; want 0", n)
	}
	counts := byMessage(t, s)
	for i := 1; i <= 10; i++ {
		if c := counts[fmt.Sprintf("r%d", i)]; c != 1 {
			t.Errorf("report r%d filed %d times; want exactly once", i, c)
		}
	}
	if len(counts) != 10 {
		t.Errorf("%d tickets; want 10", len(counts))
	}
	if len(log.ts) != 5 {
		t.Errorf("%d flushed tickets reported; want 5", len(log.ts))
	}
	d = h.mod("kim", "!claim 1")
	wantReply(t, d, "#1 is yours")
}

func TestRedisRestartedWithAOF(t *testing.T) {
	ctx := context.Background()
	srv := startRedisServer(t)
	open := func() escalation.Store {
		s, err := escalation.OpenRedis(ctx, srv.client(), escalation.RedisOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	for i := 1; i <= 3; i++ {
		if _, _, err := s.Create(ctx, newTicket("mira", fmt.Sprintf("m%d", i), "ana", fmt.Sprintf("question %d", i), at(0))); err != nil {
			t.Fatal(err)
		}
	}
	op := func(n int64) escalation.Op {
		return escalation.Op{Channel: "mira", Number: n, By: "kim", ID: fmt.Sprintf("op%d", n), At: at(time.Minute)}
	}
	if _, err := s.Claim(ctx, op(2), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Answer(ctx, op(3), "yes"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	srv.restart() // SIGKILL, then start again on the same data directory

	s = open()
	defer s.Close()
	for n, want := range map[int64]escalation.State{1: escalation.StateNew, 2: escalation.StateClaimed, 3: escalation.StateAnswered} {
		tk, err := s.Get(ctx, "mira", n)
		if err != nil || tk.State != want || tk.Text != fmt.Sprintf("question %d", n) {
			t.Errorf("after the restart #%d = %s %q, %v; want %s", n, tk.State, tk.Text, err, want)
		}
	}
	if users, _ := s.OwedUsers(ctx, "mira"); fmt.Sprint(users) != "[ana]" {
		t.Errorf("owed after the restart = %v; want [ana]", users)
	}
	tk, created, err := s.Create(ctx, newTicket("mira", "m4", "bob", "after", at(2*time.Minute)))
	if err != nil || !created || tk.Number != 4 {
		t.Errorf("next ticket = #%d (created %v), %v; want #4", tk.Number, created, err)
	}
}

// TestRedisLosesItsScripts: a server that forgot the scripts (SCRIPT FLUSH,
// a failover to a replica that never loaded them) answers NOSCRIPT; every
// transition must load them again and apply once.
func TestRedisLosesItsScripts(t *testing.T) {
	ctx := context.Background()
	srv := startRedisServer(t)
	c := srv.client()
	s, err := escalation.OpenRedis(ctx, c, escalation.RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tk, _, err := s.Create(ctx, newTicket("mira", "m1", "ana", "q", at(0)))
	if err != nil {
		t.Fatal(err)
	}
	op := escalation.Op{Channel: "mira", Number: tk.Number, By: "kim", ID: "c1", At: at(time.Minute)}
	steps := []func() error{
		func() error { _, err := s.Claim(ctx, op, time.Hour); return err },
		func() error { op.ID = "a1"; _, err := s.Answer(ctx, op, "yes"); return err },
		func() error { _, err := s.Delivered(ctx, op, "ana"); return err },
		func() error { op.ID = "r1"; _, err := s.Resolve(ctx, op); return err },
		func() error {
			_, _, err := s.Create(ctx, newTicket("mira", "m2", "bob", "q2", at(0)))
			return err
		},
	}
	for i, step := range steps {
		if err := c.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if err := step(); err != nil {
			t.Fatalf("step %d after SCRIPT FLUSH: %v", i, err)
		}
	}
	got, err := s.Get(ctx, "mira", tk.Number)
	if err != nil || got.State != escalation.StateResolved || got.Revision != 5 {
		t.Fatalf("ticket = %s revision %d, %v; want resolved at revision 5 (each step once)", got.State, got.Revision, err)
	}
}

// The bot killed with SIGKILL mid-escalation: a child process (this test
// binary, re-run) files reports as fast as it can and prints each one the
// store acknowledged; the parent kills it in the middle, restarts it, and
// checks that every acknowledged report is a ticket exactly once, and that
// nothing was filed twice.

const (
	childEnv      = "CHATDESK_TEST_ESCALATION_CHILD"
	childRedisEnv = "CHATDESK_TEST_ESCALATION_CHILD_REDIS"
	childDirEnv   = "CHATDESK_TEST_ESCALATION_CHILD_DIR"
	childRunEnv   = "CHATDESK_TEST_ESCALATION_CHILD_RUN"
)

// TestChildBot is the child's body; run directly it does nothing.
func TestChildBot(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode == "" {
		t.Skip("runs only as the child of the SIGKILL tests")
	}
	ctx := context.Background()
	dir := os.Getenv(childDirEnv)
	var s escalation.Store
	switch mode {
	case "redis", "flush":
		srv := &redisServer{port: mustPort(t, os.Getenv(childRedisEnv))}
		rs, err := escalation.OpenRedis(ctx, srv.client(), escalation.RedisOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sp, err := escalation.OpenSpool(filepath.Join(dir, "spool.db"), rs, escalation.SpoolOptions{Now: steppingClock()})
		if err != nil {
			t.Fatal(err)
		}
		if mode == "flush" {
			n, err := sp.Flush(ctx)
			fmt.Printf("flushed %d %v\n", n, err)
			sp.Close()
			return
		}
		s = sp
	case "bolt":
		bs, err := escalation.OpenBolt(filepath.Join(dir, "tickets.db"), escalation.BoltOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s = bs
	}
	defer s.Close()
	d := escalation.NewDesk(escalation.Config{Channel: "mira", Store: s, Names: []string{"chatdesk", "mira"}})
	var report chat.Command
	for _, c := range d.Commands() {
		if c.Name == "report" {
			report = c
		}
	}
	out := bufio.NewWriter(os.Stdout)
	// Chat message ids never repeat, so each run of the bot has its own.
	run := os.Getenv(childRunEnv)
	for i := 1; ; i++ {
		id := fmt.Sprintf("run%s-r%d", run, i)
		msg := chat.Message{ID: id, Channel: "mira", User: fmt.Sprintf("viewer%s-%d", run, i), Time: t0.Add(time.Duration(i) * time.Millisecond)}
		dec := report.Run(ctx, msg, fmt.Sprintf("problem %d", i))
		if dec.Action != chat.ActionEscalate {
			fmt.Fprintf(out, "failed %s %q\n", id, texts(dec))
		} else {
			fmt.Fprintf(out, "filed %s\n", id)
		}
		out.Flush()
	}
}

func mustPort(t *testing.T, s string) int {
	p, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("bad port %q", s)
	}
	return p
}

// runs counts the children started, to give each its own message ids.
var runs int

// child runs TestChildBot in mode and returns it with its output.
func child(t *testing.T, mode, dir string, srv *redisServer) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	runs++
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildBot$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childDirEnv+"="+dir, childRunEnv+"="+strconv.Itoa(runs))
	if srv != nil {
		cmd.Env = append(cmd.Env, childRedisEnv+"="+strconv.Itoa(srv.port))
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}

// readFiled reads the child's acknowledgements until it has n more.
func readFiled(t *testing.T, sc *bufio.Scanner, acked map[string]bool, n int) {
	t.Helper()
	for got := 0; got < n; {
		if !sc.Scan() {
			t.Fatalf("child ended early: %v", sc.Err())
		}
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "filed "); ok {
			acked[id] = true
			got++
		} else if strings.HasPrefix(line, "failed ") {
			t.Fatalf("child: %s", line)
		}
	}
}

func killChild(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// checkOnce checks that every acknowledged report is a ticket exactly once
// and that no report is a ticket twice.
func checkOnce(t *testing.T, s escalation.Store, acked map[string]bool) {
	t.Helper()
	counts := byMessage(t, s)
	for id := range acked {
		if counts[id] != 1 {
			t.Errorf("acknowledged report %s is %d tickets; want exactly 1", id, counts[id])
		}
	}
	for id, c := range counts {
		if c != 1 {
			t.Errorf("report %s is %d tickets; want at most 1", id, c)
		}
	}
	t.Logf("%d acknowledged, %d tickets", len(acked), len(counts))
}

func TestBotKilledMidEscalationRedis(t *testing.T) {
	srv := startRedisServer(t)
	dir := t.TempDir()
	acked := map[string]bool{}

	// Filing into Redis, killed mid-stream.
	cmd, sc := child(t, "redis", dir, srv)
	readFiled(t, sc, acked, 200)
	killChild(t, cmd)

	// Restarted; Redis goes away while it files, so it spools; killed
	// mid-stream again.
	cmd, sc = child(t, "redis", dir, srv)
	readFiled(t, sc, acked, 50)
	srv.kill()
	readFiled(t, sc, acked, 100)
	killChild(t, cmd)

	// Redis is back; the restarted bot flushes its spool.
	srv.restart()
	cmd, sc = child(t, "flush", dir, srv)
	for sc.Scan() {
		t.Logf("child: %s", sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("flushing child: %v", err)
	}
	s, err := escalation.OpenRedis(context.Background(), srv.client(), escalation.RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkOnce(t, s, acked)
}

func TestBotKilledMidEscalationEmbedded(t *testing.T) {
	dir := t.TempDir()
	acked := map[string]bool{}
	for range 3 {
		cmd, sc := child(t, "bolt", dir, nil)
		readFiled(t, sc, acked, 100)
		killChild(t, cmd)
	}
	s, err := escalation.OpenBolt(filepath.Join(dir, "tickets.db"), escalation.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkOnce(t, s, acked)
}

// TestRedisDurabilityWarnings: a server that can lose tickets (no
// append-only file, or eviction) is named at start; a safe one is not.
func TestRedisDurabilityWarnings(t *testing.T) {
	ctx := context.Background()
	srv := startRedisServer(t)
	for _, c := range []struct {
		aof, policy string
		want        []string
	}{
		{"yes", "noeviction", nil},
		{"no", "allkeys-lru", []string{"appendonly is no", "maxmemory-policy is allkeys-lru"}},
	} {
		admin := srv.client()
		if err := admin.ConfigSet(ctx, "appendonly", c.aof).Err(); err != nil {
			t.Fatal(err)
		}
		if err := admin.ConfigSet(ctx, "maxmemory-policy", c.policy).Err(); err != nil {
			t.Fatal(err)
		}
		admin.Close()
		var logs strings.Builder
		log := slog.New(slog.NewTextHandler(&logs, nil))
		s, err := escalation.OpenRedis(ctx, srv.client(), escalation.RedisOptions{Log: log})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if c.want == nil && strings.Contains(logs.String(), "may lose tickets") {
			t.Errorf("appendonly %s, %s: warned %q", c.aof, c.policy, logs.String())
		}
		for _, w := range c.want {
			if !strings.Contains(logs.String(), w) {
				t.Errorf("appendonly %s, %s: log %q; want a warning naming %s", c.aof, c.policy, logs.String(), w)
			}
		}
	}
}

// TestMissingRedisFailsInCI runs the Redis conformance suite, as a child
// process, against an address where nothing listens: outside CI it skips,
// under CI=true it fails.
func TestMissingRedisFailsInCI(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("not inside a child")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nowhere := l.Addr().String()
	l.Close()
	for _, ci := range []string{"", "true"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRedisConformance$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "CHATDESK_TEST_REDIS="+nowhere, "CI="+ci, childEnv+"=probe")
		out, err := cmd.CombinedOutput()
		switch {
		case ci == "" && (err != nil || !strings.Contains(string(out), "--- SKIP")):
			t.Errorf("outside CI: %v\n%s\nwant a skip", err, out)
		case ci == "true" && (err == nil || !strings.Contains(string(out), "CI must provide one")):
			t.Errorf("under CI=true: %v\n%s\nwant a failure", err, out)
		}
	}
}
