package twitch_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// These tests run under testing/synctest: the Helix client keeps the wall
// clock, which inside the bubble only moves when every goroutine waits, and
// reaches the fake through its in-process client. A minute of Twitch's
// pacing takes no real time, and the bubble fails the test if a goroutine
// is left behind.

// pacedRig is a Sink drawing on one token's budget against a fake Helix.
type pacedRig struct {
	sink  *twitch.Sink
	helix *twitch.Helix
	fake  *twitchtest.Helix
	logs  *twitchtest.Log
	stop  func()
}

// startPaced builds the rig inside a bubble; fake must have been made
// outside it (its server's sockets cannot be in the bubble).
func startPaced(t *testing.T, fake *twitchtest.Helix, queueSize int, channels ...string) *pacedRig {
	t.Helper()
	logs := &twitchtest.Log{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := twitch.NewHelix(twitch.HelixConfig{APIURL: fake.APIURL(), AuthURL: fake.AuthURL(), Token: testToken, HTTP: fake.Client(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, ch := range channels {
		ids[ch] = twitchtest.RoomID(ch)
	}
	s := twitch.NewSink(twitch.SinkConfig{Sender: chat.NewSender(&nowhere{}, chat.SenderConfig{}), Helix: h, ChannelIDs: ids, Log: log, QueueSize: queueSize})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	var stopped bool
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return &pacedRig{sink: s, helix: h, fake: fake, logs: logs, stop: stop}
}

// deliver queues one action about a message from user in channel.
func (r *pacedRig) deliver(t *testing.T, channel, user string, e chat.Enforcement) {
	t.Helper()
	msg := chat.Message{ID: "m-" + user, Channel: channel, ChannelID: twitchtest.RoomID(channel), UserID: "id-" + user, User: user, Text: "spam"}
	if err := r.sink.Deliver(context.Background(), msg, moderate(e)); err != nil {
		t.Fatal(err)
	}
}

// drain lets the bubble's clock run until every queued action is out.
func (r *pacedRig) drain() {
	for {
		synctest.Wait()
		if r.sink.Stats().Queued == 0 {
			return
		}
		time.Sleep(time.Second)
	}
}

// helixCalls are the requests that spend points: all but the auth API's.
func helixCalls(fake *twitchtest.Helix) []twitchtest.Request {
	var out []twitchtest.Request
	for _, r := range fake.Requests() {
		if r.Path != "/validate" {
			out = append(out, r)
		}
	}
	return out
}

// perMinute counts calls in each minute from the first: Twitch's buckets,
// as the fake keeps them, start on the second of the first call.
func perMinute(calls []twitchtest.Request) []int {
	var counts []int
	if len(calls) == 0 {
		return counts
	}
	start := calls[0].At.Truncate(time.Second)
	for _, c := range calls {
		i := int(c.At.Sub(start) / time.Minute)
		for len(counts) <= i {
			counts = append(counts, 0)
		}
		counts[i]++
	}
	return counts
}

// target names what a moderation request was about: the message id of a
// delete, the user id of a ban, warning or unban.
func target(r twitchtest.Request) string {
	if id := r.Query.Get("message_id"); id != "" {
		return "delete " + id
	}
	if id := r.Query.Get("user_id"); id != "" {
		return "unban " + id
	}
	kind := "ban"
	if r.Path == "/moderation/warnings" {
		kind = "warn"
	}
	i := strings.Index(r.Body, `"user_id":"`)
	if i < 0 {
		return kind + " ?"
	}
	id := r.Body[i+len(`"user_id":"`):]
	return kind + " " + id[:strings.IndexByte(id, '"')]
}

// TestSinkSpamWaveKeepsToTheBudget: a wave of 1,000 spam deletes and 50
// bans arrives while Twitch sits on the first call. The bans go out first,
// the queue sheds the newest deletes it has no room for (counted, logged
// once), and no minute ever holds more calls than Twitch's 800 points.
func TestSinkSpamWaveKeepsToTheBudget(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	fake.RateLimit(800)
	synctest.Test(t, func(t *testing.T) {
		r := startPaced(t, fake, twitch.DefaultModerationQueue, "mira")
		hold := make(chan struct{})
		held := false
		fake.Respond(func(req twitchtest.Request) (int, http.Header, string) {
			if !held && req.Path == "/moderation/chat" {
				held = true
				<-hold
			}
			return 0, nil, ""
		})
		deleteOf := func(i int) chat.Enforcement {
			return chat.Enforcement{Kind: chat.PenaltyDelete, MessageID: fmt.Sprintf("spam-%03d", i)}
		}
		r.deliver(t, "mira", "spammer", deleteOf(0))
		synctest.Wait() // the first delete is with Twitch, which holds it
		for i := 1; i < 1000; i++ {
			r.deliver(t, "mira", "spammer", deleteOf(i))
			if i%20 == 19 {
				r.deliver(t, "mira", fmt.Sprintf("bot%02d", (i+1)/20), chat.Enforcement{Kind: chat.PenaltyBan, Reason: "spam bot"})
			}
		}
		close(hold)
		r.drain()

		calls := helixCalls(fake)
		// After the held delete, 999 deletes and 50 bans arrived where
		// 1,024 fit.
		const bans, capacity = 50, twitch.DefaultModerationQueue
		wantDone := 1 + capacity
		if len(calls) != wantDone {
			t.Fatalf("%d calls to Twitch; want %d (the held delete and a full queue)", len(calls), wantDone)
		}
		var want []string
		want = append(want, "delete spam-000")
		for k := 1; k <= bans; k++ {
			want = append(want, fmt.Sprintf("ban id-bot%02d", k))
		}
		for i := 1; len(want) < wantDone; i++ {
			want = append(want, fmt.Sprintf("delete spam-%03d", i))
		}
		for i, c := range calls {
			if got := target(c); got != want[i] {
				t.Fatalf("call %d is %s; want %s (bans first, then deletes oldest first)", i, got, want[i])
			}
			if c.Status == http.StatusTooManyRequests {
				t.Fatalf("call %d at %v was refused with 429: the bot overspent", i, c.At)
			}
		}
		for i, n := range perMinute(calls) {
			if n > 800 {
				t.Errorf("minute %d: %d calls; want at most 800", i, n)
			}
		}
		if span := calls[len(calls)-1].At.Sub(calls[0].At); span < time.Minute {
			t.Errorf("1,025 calls within %v: the budget did not wait for Twitch's reset", span)
		}
		st := r.sink.Stats()
		shed := int64(999 + bans - capacity)
		if st.Done != int64(wantDone) || st.Shed != shed || st.Dropped != shed || st.Failed != 0 || st.Queued != 0 {
			t.Errorf("stats %+v; want %d done, %d shed and dropped, none failed or queued", st, wantDone, shed)
		}
		logs := r.logs.String()
		for _, line := range []string{"moderation queue full", "moderation queue caught up", "delete=" + fmt.Sprint(shed), "twitch api budget spent", "the wait is over"} {
			if n := strings.Count(logs, line); n != 1 {
				t.Errorf("%q logged %d times; want once per wave", line, n)
			}
		}
		if b := r.helix.Budget().Stats(); b.Limit != 800 || b.RateLimited != 0 || b.Spent != int64(wantDone) {
			t.Errorf("budget %+v; want limit 800 from the headers, %d spent, no 429", b, wantDone)
		}
	})
}

// TestSinkSustained429: Twitch answers 429 for two and a half minutes
// whatever the bot does. It sends one call per bucket, not a storm; when
// Twitch lets up, the queued actions go out most severe first, oldest
// first within a severity, in every channel sharing the token.
func TestSinkSustained429(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		fake.Throttle(start.Add(150 * time.Second))
		r := startPaced(t, fake, 0, "mira", "sam")
		r.deliver(t, "mira", "d0", chat.Enforcement{Kind: chat.PenaltyDelete})
		synctest.Wait() // refused, and back in the queue
		queue := []struct {
			channel, user string
			kind          chat.PenaltyKind
		}{
			{"mira", "w1", chat.PenaltyWarn}, {"sam", "sd1", chat.PenaltyDelete}, {"mira", "d1", chat.PenaltyDelete},
			{"mira", "u1", chat.PenaltyUnban}, {"sam", "sb1", chat.PenaltyBan}, {"mira", "b1", chat.PenaltyBan},
			{"mira", "d2", chat.PenaltyDelete}, {"sam", "sw1", chat.PenaltyWarn}, {"mira", "t1", chat.PenaltyTimeout},
			{"mira", "w2", chat.PenaltyWarn},
		}
		for _, q := range queue {
			e := chat.Enforcement{Kind: q.kind, Duration: time.Minute, Reason: "r"}
			if q.kind == chat.PenaltyUnban {
				e.UserID = "id-u1"
			}
			r.deliver(t, q.channel, q.user, e)
		}
		synctest.Wait()
		if n := len(helixCalls(fake)); n != 1 {
			t.Fatalf("%d calls while Twitch refuses and the bucket has not reset; want 1", n)
		}
		time.Sleep(4 * time.Minute)
		r.drain()

		var refused, during int
		got := map[string][]string{}
		for _, c := range helixCalls(fake) {
			if c.At.Before(start.Add(150 * time.Second)) {
				during++
			}
			if c.Status == http.StatusTooManyRequests {
				refused++
				continue
			}
			ch := "mira"
			if c.Query.Get("broadcaster_id") == twitchtest.RoomID("sam") {
				ch = "sam"
			}
			got[ch] = append(got[ch], target(c))
		}
		// Buckets end at 1:00, 2:00 and 3:00: one try at the start and one
		// at each of the first two resets, all refused.
		if during != 3 || refused != 3 {
			t.Errorf("%d calls while throttled, %d refused; want 3 and 3 (one per bucket)", during, refused)
		}
		want := map[string][]string{
			// d0 was refused first and keeps its place among the deletes.
			"mira": {"ban id-b1", "ban id-t1", "delete m-d0", "delete m-d1", "delete m-d2", "warn id-w1", "warn id-w2", "unban id-u1"},
			"sam":  {"ban id-sb1", "delete m-sd1", "warn id-sw1"},
		}
		for ch, w := range want {
			if fmt.Sprint(got[ch]) != fmt.Sprint(w) {
				t.Errorf("#%s carried out %v; want %v", ch, got[ch], w)
			}
		}
		// The first call Twitch accepted is the oldest ban of either
		// channel: the probes went to the most severe action waiting.
		for _, c := range helixCalls(fake) {
			if c.Status != http.StatusTooManyRequests {
				if tg := target(c); tg != "ban id-sb1" {
					t.Errorf("first accepted call %s; want the oldest ban, ban id-sb1", tg)
				}
				if c.At.Before(start.Add(150 * time.Second)) {
					t.Errorf("accepted at %v, while Twitch still refused", c.At.Sub(start))
				}
				break
			}
		}
		st := r.sink.Stats()
		if st.Done != 11 || st.Failed != 0 || st.Dropped != 0 {
			t.Errorf("stats %+v; want 11 done, none failed or dropped", st)
		}
		if b := r.helix.Budget().Stats(); b.RateLimited != 3 {
			t.Errorf("budget counted %d 429s; want 3", b.RateLimited)
		}
		logs := r.logs.String()
		if n := strings.Count(logs, "Twitch answered 429"); n != 1 {
			t.Errorf("the 429 wave was logged %d times; want once:\n%s", n, logs)
		}
		if n := strings.Count(logs, "the wait is over"); n != 1 {
			t.Errorf("the end of the wave was logged %d times; want once", n)
		}
		r.stop()
	})
}

// TestBudgetFollowsTheHeaders: a token whose bucket is smaller than the
// documented 800 (Ratelimit-Limit says 100) is paced to what Twitch says.
func TestBudgetFollowsTheHeaders(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	fake.RateLimit(100)
	synctest.Test(t, func(t *testing.T) {
		r := startPaced(t, fake, 0, "mira")
		for i := range 250 {
			r.deliver(t, "mira", "spammer", chat.Enforcement{Kind: chat.PenaltyDelete, MessageID: fmt.Sprint("m", i)})
		}
		r.drain()
		calls := helixCalls(fake)
		if got := fmt.Sprint(perMinute(calls)); got != "[100 100 50]" {
			t.Errorf("calls per minute %s; want [100 100 50]", got)
		}
		for _, c := range calls {
			if c.Status == http.StatusTooManyRequests {
				t.Fatalf("a call at %v was refused with 429", c.At)
			}
		}
		if b := r.helix.Budget().Stats(); b.Limit != 100 {
			t.Errorf("budget limit %d; want 100, from Ratelimit-Limit", b.Limit)
		}
	})
}

// TestBudgetWithoutHeaders: until Twitch says otherwise the client keeps to
// the documented 800 points a minute.
func TestBudgetWithoutHeaders(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot") // no Ratelimit-* headers
	synctest.Test(t, func(t *testing.T) {
		h, err := twitch.NewHelix(twitch.HelixConfig{APIURL: fake.APIURL(), AuthURL: fake.AuthURL(), Token: testToken, HTTP: fake.Client()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Validate(context.Background()); err != nil {
			t.Fatal(err)
		}
		for i := range 1000 {
			if err := h.DeleteMessage(context.Background(), "100", fmt.Sprint("m", i)); err != nil {
				t.Fatal(err)
			}
		}
		if got := fmt.Sprint(perMinute(helixCalls(fake))); got != "[800 200]" {
			t.Errorf("calls per minute %s; want [800 200]", got)
		}
	})
}

// TestSinkQueueBound: a full queue drops what would be carried out last,
// the newest of the least severe, so bans always find room; Deliver does
// not fail for it (the queue logs once per wave instead of once per
// message).
func TestSinkQueueBound(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	synctest.Test(t, func(t *testing.T) {
		r := startPaced(t, fake, 10, "mira")
		hold := make(chan struct{})
		fake.Respond(func(req twitchtest.Request) (int, http.Header, string) {
			if req.Query.Get("message_id") == "m-first" {
				<-hold
			}
			return 0, nil, ""
		})
		r.deliver(t, "mira", "first", chat.Enforcement{Kind: chat.PenaltyDelete})
		synctest.Wait()
		for i := range 12 {
			r.deliver(t, "mira", fmt.Sprint("w", i), chat.Enforcement{Kind: chat.PenaltyWarn, Reason: "r"})
			if i%4 == 0 {
				r.deliver(t, "mira", fmt.Sprint("b", i), chat.Enforcement{Kind: chat.PenaltyBan})
			}
		}
		if st := r.sink.Stats(); st.Queued != 10 || st.Shed != 5 || st.Dropped != 5 {
			t.Errorf("stats %+v; want 10 queued, 5 shed", st)
		}
		close(hold)
		r.drain()
		var got []string
		for _, c := range helixCalls(fake)[1:] {
			got = append(got, target(c))
		}
		want := "[ban id-b0 ban id-b4 ban id-b8 warn id-w0 warn id-w1 warn id-w2 warn id-w3 warn id-w4 warn id-w5 warn id-w6]"
		if fmt.Sprint(got) != want {
			t.Errorf("carried out %v; want %s", got, want)
		}
		if !strings.Contains(r.logs.String(), "warn=5") {
			t.Errorf("the wave's drops are not in the log:\n%s", r.logs)
		}
	})
}

// TestSinkShutdownCountsWhatIsLeft: actions still waiting for the budget
// when the bot stops are counted as dropped, and said, not lost quietly.
func TestSinkShutdownCountsWhatIsLeft(t *testing.T) {
	fake := twitchtest.NewHelix(t, testToken, "deskbot")
	synctest.Test(t, func(t *testing.T) {
		fake.Throttle(time.Now().Add(time.Hour))
		r := startPaced(t, fake, 0, "mira")
		for i := range 5 {
			r.deliver(t, "mira", fmt.Sprint("u", i), chat.Enforcement{Kind: chat.PenaltyTimeout, Duration: time.Minute})
		}
		synctest.Wait()
		r.stop()
		if st := r.sink.Stats(); st.Dropped != 5 || st.Done != 0 {
			t.Errorf("stats %+v; want the 5 timeouts dropped", st)
		}
		if !strings.Contains(r.logs.String(), "not carried out") {
			t.Errorf("shutdown did not say what it left:\n%s", r.logs)
		}
	})
}

// BenchmarkSinkFlood: the same wave through Deliver, the queue, the budget
// and the Helix client to the in-process fake, with a bucket too big to
// pace: the bot's own cost per moderation call.
func BenchmarkSinkFlood(b *testing.B) {
	fake := twitchtest.NewHelix(b, testToken, "deskbot")
	fake.RateLimit(1 << 30)
	h, err := twitch.NewHelix(twitch.HelixConfig{APIURL: fake.APIURL(), AuthURL: fake.AuthURL(), Token: testToken, HTTP: fake.Client()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Validate(context.Background()); err != nil {
		b.Fatal(err)
	}
	s := twitch.NewSink(twitch.SinkConfig{Sender: chat.NewSender(&nowhere{}, chat.SenderConfig{}), Helix: h,
		ChannelIDs: map[string]string{"mira": twitchtest.RoomID("mira")}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	msg := chat.Message{ID: "m", Channel: "mira", ChannelID: twitchtest.RoomID("mira"), UserID: "42", User: "spammer"}
	var actions int64
	for b.Loop() {
		for i := range 1000 {
			s.Deliver(ctx, msg, moderate(chat.Enforcement{Kind: chat.PenaltyDelete, MessageID: fmt.Sprint(i)}))
			if i%20 == 19 {
				s.Deliver(ctx, msg, moderate(chat.Enforcement{Kind: chat.PenaltyBan}))
			}
		}
		actions += 1050
		for st := s.Stats(); st.Done+st.Dropped < actions; st = s.Stats() {
			time.Sleep(100 * time.Microsecond)
		}
	}
	st := s.Stats()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(st.Done), "ns/call")
	b.ReportMetric(float64(st.Shed)/float64(b.N), "shed/wave")
}
