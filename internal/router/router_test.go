package router_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/chat"
	"github.com/chatdesk/chatdesk/internal/router"
)

// recorder is a sink that remembers every delivery, per channel, in the
// order it got them.
type recorder struct {
	mu    sync.Mutex
	got   map[string][]string // channel → message ids
	texts map[string][]string // channel → reply texts
	// delivered, when set, hears of every delivery.
	delivered chan<- chat.Message
}

func newRecorder() *recorder {
	return &recorder{got: map[string][]string{}, texts: map[string][]string{}}
}

func (r *recorder) Deliver(_ context.Context, msg chat.Message, d chat.Decision) error {
	r.mu.Lock()
	r.got[msg.Channel] = append(r.got[msg.Channel], msg.ID)
	for _, rep := range d.Replies {
		r.texts[msg.Channel] = append(r.texts[msg.Channel], rep.Text)
	}
	r.mu.Unlock()
	if r.delivered != nil {
		r.delivered <- msg
	}
	return nil
}

func (r *recorder) ids(channel string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got[channel])
}

// echo is a stage that answers every message with its own text.
var echo = router.StageFunc(func(_ context.Context, msg chat.Message) chat.Decision {
	return chat.Decision{Action: chat.ActionAnswer, Replies: []chat.Reply{{Text: msg.Text, ParentID: msg.ID}}}
})

func pipeline(stages ...router.Stage) *router.Pipeline { return &router.Pipeline{Stages: stages} }

// runRouter starts r.Run and returns the input channel and a function that
// closes it and returns Run's result.
func runRouter(t *testing.T, ctx context.Context, r *router.Router) (chan<- chat.Message, func() error) {
	t.Helper()
	in := make(chan chat.Message)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, in) }()
	return in, func() error {
		close(in)
		return <-done
	}
}

func TestRouterKeepsOrderPerChannel(t *testing.T) {
	// No more than a lane holds, so none can be dropped however slowly
	// the lanes run.
	const perChannel = router.LaneDepth - 6
	channels := []string{"alpha", "beta"}
	sink := newRecorder()
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": pipeline(echo), "beta": pipeline(echo)}, sink, nil)
	in, finish := runRouter(t, context.Background(), r)

	want := map[string][]string{}
	for i := range perChannel {
		for _, ch := range channels {
			id := fmt.Sprintf("%s-%03d", ch, i)
			want[ch] = append(want[ch], id)
			in <- chat.Message{ID: id, Channel: ch, User: "u", Text: id}
		}
	}
	if err := finish(); err != nil {
		t.Fatalf("Run = %v; want nil once the input is closed", err)
	}
	// Run has returned, so every lane has drained: nothing is left to wait for.
	for _, ch := range channels {
		if got := sink.ids(ch); !slices.Equal(got, want[ch]) {
			t.Errorf("#%s deliveries (%d):\n got %v\nwant %v", ch, len(got), got, want[ch])
		}
	}
	if got := r.Dropped(); got != 0 {
		t.Errorf("Dropped() = %d; want 0", got)
	}
}

func TestRouterUnknownChannelIsDropped(t *testing.T) {
	sink := newRecorder()
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": pipeline(echo)}, sink, nil)
	in, finish := runRouter(t, context.Background(), r)
	// The input is unbuffered: each send returns only once the router has
	// taken the message, so a router stuck on the unknown channel would
	// hang here.
	in <- chat.Message{ID: "a1", Channel: "alpha", Text: "one"}
	for i := range 3 * router.LaneDepth {
		in <- chat.Message{ID: fmt.Sprintf("x%d", i), Channel: "nowhere", Text: "lost"}
	}
	in <- chat.Message{ID: "a2", Channel: "alpha", Text: "two"}
	if err := finish(); err != nil {
		t.Fatalf("Run = %v; want nil", err)
	}
	if got, want := sink.ids("alpha"), []string{"a1", "a2"}; !slices.Equal(got, want) {
		t.Errorf("#alpha deliveries = %v; want %v", got, want)
	}
	if got := sink.ids("nowhere"); len(got) != 0 {
		t.Errorf("#nowhere deliveries = %v; want none", got)
	}
}

func TestRouterRunReturnsWhenInputCloses(t *testing.T) {
	sink := newRecorder()
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": pipeline(echo), "beta": pipeline(echo)}, sink, nil)
	in := make(chan chat.Message, 10)
	for i := range 5 {
		in <- chat.Message{ID: fmt.Sprint(i), Channel: "alpha", Text: "hi"}
	}
	close(in)
	if err := r.Run(context.Background(), in); err != nil {
		t.Fatalf("Run = %v; want nil", err)
	}
	if got := len(sink.ids("alpha")); got != 5 {
		t.Errorf("delivered %d messages before Run returned; want 5", got)
	}
}

func TestRouterRunReturnsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": pipeline(echo)}, newRecorder(), nil)
	in := make(chan chat.Message) // never closed
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, in) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel = %v; want nil", err)
	}
}

// TestRouterChannelsRunInParallel holds one channel's stage and shows the
// other channel is still served.
func TestRouterChannelsRunInParallel(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	slow := router.StageFunc(func(ctx context.Context, msg chat.Message) chat.Decision {
		entered <- struct{}{}
		<-release
		return echo(ctx, msg)
	})
	delivered := make(chan chat.Message, 10)
	sink := newRecorder()
	sink.delivered = delivered
	r := router.NewRouter(map[string]*router.Pipeline{"slow": pipeline(slow), "fast": pipeline(echo)}, sink, nil)
	in, finish := runRouter(t, context.Background(), r)

	in <- chat.Message{ID: "s1", Channel: "slow"}
	<-entered // the slow lane is now busy and stays busy until released
	in <- chat.Message{ID: "f1", Channel: "fast"}
	if got := <-delivered; got.ID != "f1" {
		t.Errorf("first delivery = %s; want f1 while #slow is busy", got.ID)
	}
	close(release)
	if got := <-delivered; got.ID != "s1" {
		t.Errorf("second delivery = %s; want s1", got.ID)
	}
	if err := finish(); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// TestRouterShedsWhenLaneFull fills a lane whose stage is held: the message
// that does not fit is judged by the guard alone, counted as shed, and never
// answered; the rest are delivered in order.
func TestRouterShedsWhenLaneFull(t *testing.T) {
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	var once sync.Once
	held := router.StageFunc(func(ctx context.Context, msg chat.Message) chat.Decision {
		once.Do(func() {
			entered <- struct{}{}
			<-release
		})
		return echo(ctx, msg)
	})
	var guarded []string
	guard := router.StageFunc(func(_ context.Context, msg chat.Message) chat.Decision {
		guarded = append(guarded, msg.ID) // the dispatcher's goroutine only, for the overflow
		return chat.Decision{}
	})
	sink := newRecorder()
	alpha := pipeline(held)
	alpha.Guard = []router.Stage{guard}
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": alpha, "beta": pipeline(echo)}, sink, nil)
	var shedIn []string
	r.OnShed(func(channel string) { shedIn = append(shedIn, channel) })
	in, finish := runRouter(t, context.Background(), r)

	in <- chat.Message{ID: "first", Channel: "alpha"}
	<-entered
	var want []string
	want = append(want, "first")
	for i := range router.LaneDepth {
		id := fmt.Sprintf("q%03d", i)
		want = append(want, id)
		in <- chat.Message{ID: id, Channel: "alpha"}
	}
	in <- chat.Message{ID: "overflow", Channel: "alpha"}
	// The router handles its input in order, so once this send is taken
	// the overflow message has been dealt with.
	in <- chat.Message{ID: "b1", Channel: "beta"}
	if got := r.Shed(); got != 1 {
		t.Errorf("Shed() = %d; want 1", got)
	}
	if got := r.Dropped(); got != 0 {
		t.Errorf("Dropped() = %d; want 0: a full lane sheds, it does not drop", got)
	}
	if !slices.Equal(guarded, []string{"overflow"}) || !slices.Equal(shedIn, []string{"alpha"}) {
		t.Errorf("guard saw %v, OnShed heard %v; want [overflow] and [alpha]", guarded, shedIn)
	}
	close(release)
	if err := finish(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := sink.ids("alpha"); !slices.Equal(got, want) {
		t.Errorf("#alpha got %d deliveries; want %d, in order, without %q", len(got), len(want), "overflow")
	}
}

// TestRouterBurstIsAllJudged sends a burst of 2,000 messages into one
// channel whose answering is held up: every one is judged by moderation,
// every spam line among them is acted on, and what the lane could not hold
// is shed, never dropped.
func TestRouterBurstIsAllJudged(t *testing.T) {
	const burst = 2000
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	slowAnswer := router.StageFunc(func(ctx context.Context, msg chat.Message) chat.Decision {
		once.Do(func() {
			close(entered)
			<-release
		})
		return chat.Decision{}
	})
	var mu sync.Mutex
	judged := map[string]int{}
	mod := router.StageFunc(func(_ context.Context, msg chat.Message) chat.Decision {
		mu.Lock()
		judged[msg.ID]++
		mu.Unlock()
		if strings.Contains(msg.Text, "spam") {
			return chat.Decision{Action: chat.ActionModerate, Rule: "links"}
		}
		return chat.Decision{}
	})
	p := pipeline(mod, slowAnswer)
	p.Guard = []router.Stage{mod}
	sink := newRecorder()
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": p, "beta": pipeline(echo)}, sink, nil)
	in, finish := runRouter(t, context.Background(), r)
	spam := 0
	for i := range burst {
		text := "hello chat"
		if i%7 == 3 {
			text, spam = "spam.example/win", spam+1
		}
		in <- chat.Message{ID: fmt.Sprintf("m%04d", i), Channel: "alpha", User: "u", Text: text}
		if i == 0 {
			<-entered // the lane is now busy with m0 until released
		}
	}
	// The router handles its input in order: once this is taken, the
	// burst's last message has been dealt with, before the lane moves.
	in <- chat.Message{ID: "b1", Channel: "beta"}
	close(release)
	if err := finish(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	for i := range burst {
		if id := fmt.Sprintf("m%04d", i); judged[id] != 1 {
			t.Fatalf("message %s judged %d times; want once", id, judged[id])
		}
	}
	if got := len(sink.ids("alpha")); got != spam {
		t.Errorf("%d moderation actions delivered; want %d, one per spam line", got, spam)
	}
	// The held message, the lane's worth behind it, and the rest shed.
	if got, want := r.Shed(), int64(burst-1-router.LaneDepth); got != want {
		t.Errorf("Shed() = %d; want %d", got, want)
	}
	if r.Dropped() != 0 {
		t.Errorf("Dropped() = %d; want 0", r.Dropped())
	}
}

// failingSink fails every delivery.
type failingSink struct {
	mu sync.Mutex
	n  int
}

func (f *failingSink) Deliver(context.Context, chat.Message, chat.Decision) error {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
	return errors.New("twitch is down")
}

func TestRouterKeepsGoingWhenSinkFails(t *testing.T) {
	sink := &failingSink{}
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": pipeline(echo)}, sink, nil)
	in, finish := runRouter(t, context.Background(), r)
	for i := range 3 {
		in <- chat.Message{ID: fmt.Sprint(i), Channel: "alpha"}
	}
	if err := finish(); err != nil {
		t.Fatalf("Run = %v; want nil, a failed delivery is logged, not fatal", err)
	}
	if sink.n != 3 {
		t.Errorf("sink was asked %d times; want 3", sink.n)
	}
}

func TestRouterDoesNotDeliverIgnored(t *testing.T) {
	sink := newRecorder()
	quiet := router.StageFunc(func(context.Context, chat.Message) chat.Decision { return chat.Decision{} })
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": pipeline(quiet)}, sink, nil)
	in, finish := runRouter(t, context.Background(), r)
	in <- chat.Message{ID: "1", Channel: "alpha"}
	if err := finish(); err != nil {
		t.Fatal(err)
	}
	if got := sink.ids("alpha"); len(got) != 0 {
		t.Errorf("delivered %v; want nothing for a message no stage acted on", got)
	}
}

// calls counts the messages a stage saw.
type calls struct {
	mu   sync.Mutex
	seen []string
	d    chat.Decision
}

func (c *calls) Handle(_ context.Context, msg chat.Message) chat.Decision {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = append(c.seen, msg.Text)
	return c.d
}

func TestPipelineFirstActingStageEndsTrip(t *testing.T) {
	moderate := &calls{}
	answer := &calls{d: chat.Decision{Action: chat.ActionAnswer, FAQ: "schedule"}}
	never := &calls{d: chat.Decision{Action: chat.ActionEscalate}}
	removeLinks := router.StageFunc(func(ctx context.Context, msg chat.Message) chat.Decision {
		if msg.Text == "spam" {
			return chat.Decision{Action: chat.ActionModerate, Rule: "links", Penalty: "delete"}
		}
		return moderate.Handle(ctx, msg)
	})
	p := pipeline(removeLinks, answer, never)

	tests := []struct {
		text string
		want chat.Action
	}{
		{"spam", chat.ActionModerate},
		{"when do you stream?", chat.ActionAnswer},
	}
	for _, tt := range tests {
		if got := p.Process(context.Background(), chat.Message{Text: tt.text}); got.Action != tt.want {
			t.Errorf("Process(%q).Action = %q; want %q", tt.text, got.Action, tt.want)
		}
	}
	if want := []string{"when do you stream?"}; !slices.Equal(answer.seen, want) {
		t.Errorf("answer stage saw %q; want %q (a removed message is never answered)", answer.seen, want)
	}
	if len(never.seen) != 0 {
		t.Errorf("stage after the acting one saw %q; want nothing", never.seen)
	}
}

func TestPipelineIgnoreGoesOn(t *testing.T) {
	first := &calls{d: chat.Decision{Action: chat.ActionIgnore, Note: "looked"}}
	second := &calls{}
	p := pipeline(first, second)
	d := p.Process(context.Background(), chat.Message{Text: "hi"})
	if d.Action != chat.ActionIgnore {
		t.Errorf("Process().Action = %q; want %q when no stage acts", d.Action, chat.ActionIgnore)
	}
	if len(second.seen) != 1 {
		t.Errorf("second stage saw %d messages; want 1 (an ignore does not end the trip)", len(second.seen))
	}
}

func TestRouterHandle(t *testing.T) {
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": pipeline(echo)}, nil, nil)
	d, err := r.Handle(context.Background(), chat.Message{ID: "1", Channel: "alpha", Text: "hi"})
	if err != nil || d.Action != chat.ActionAnswer {
		t.Errorf("Handle(#alpha) = %q, %v; want answer, nil", d.Action, err)
	}
	_, err = r.Handle(context.Background(), chat.Message{Channel: "nowhere"})
	if !errors.Is(err, router.ErrUnknownChannel) {
		t.Errorf("Handle(#nowhere) error = %v; want ErrUnknownChannel", err)
	}
}

// observed remembers what an observer was shown.
type observed struct {
	mu   sync.Mutex
	seen []chat.Decision
}

func (o *observed) Observe(_ context.Context, _ chat.Message, d chat.Decision, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, d)
}

func TestRouterShowsObserversEveryDecision(t *testing.T) {
	missed := router.StageFunc(func(context.Context, chat.Message) chat.Decision {
		return chat.Decision{Question: true, Lang: "en"}
	})
	answer := router.StageFunc(func(_ context.Context, m chat.Message) chat.Decision {
		if m.Text == "answer me" {
			return chat.Decision{Action: chat.ActionAnswer, FAQ: "x", Replies: []chat.Reply{{Text: "y"}}}
		}
		return chat.Decision{}
	})
	r := router.NewRouter(map[string]*router.Pipeline{"c": pipeline(missed, answer)}, newRecorder(), nil)
	o := &observed{}
	r.Observe(o)
	in, wait := runRouter(t, context.Background(), r)
	in <- chat.Message{ID: "1", Channel: "c", Text: "answer me"}
	in <- chat.Message{ID: "2", Channel: "c", Text: "nobody knows"}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if len(o.seen) != 2 {
		t.Fatalf("observer saw %d decisions; want 2 (ignored messages too)", len(o.seen))
	}
	for i, want := range []chat.Decision{
		{Action: chat.ActionAnswer, FAQ: "x", Question: true, Lang: "en"},
		{Action: chat.ActionIgnore, Question: true, Lang: "en"},
	} {
		got := o.seen[i]
		if got.Action != want.Action || got.FAQ != want.FAQ || got.Question != want.Question || got.Lang != want.Lang {
			t.Errorf("decision %d: got %+v; want action %s faq %q question %v lang %q", i, got, want.Action, want.FAQ, want.Question, want.Lang)
		}
	}
}

// countingReader reads every line as an English question, counting how often
// it is asked to.
type countingReader struct {
	mu sync.Mutex
	n  int
}

func (c *countingReader) Read(string) chat.Reading {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return chat.Reading{Question: true, Lang: "en", Why: "counted"}
}

func TestRouterReadsEachMessageOnce(t *testing.T) {
	reader := &countingReader{}
	var mu sync.Mutex
	var seen []chat.Reading
	look := router.StageFunc(func(_ context.Context, m chat.Message) chat.Decision {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, m.Reading)
		return chat.Decision{}
	})
	p := &router.Pipeline{Reader: reader, Stages: []router.Stage{look, look, echo}}
	r := router.NewRouter(map[string]*router.Pipeline{"c": p}, newRecorder(), nil)
	in, wait := runRouter(t, context.Background(), r)
	in <- chat.Message{ID: "1", Channel: "c", Text: "when do you stream"}
	in <- chat.Message{ID: "2", Channel: "c", Text: "what keyboard"}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if reader.n != 2 {
		t.Errorf("reader read %d times for 2 messages; want 2 (once per message, before the stages)", reader.n)
	}
	want := chat.Reading{Question: true, Lang: "en", Why: "counted"}
	if len(seen) != 4 {
		t.Fatalf("stages saw %d messages; want 4", len(seen))
	}
	for i, got := range seen {
		if got != want {
			t.Errorf("stage call %d saw reading %+v; want %+v", i, got, want)
		}
	}
}

// TestRouterServesOnlyItsChannels: with channels shared among instances,
// the router passes over the messages of a channel another instance works,
// and the gated sink posts nothing there.
func TestRouterServesOnlyItsChannels(t *testing.T) {
	sink := newRecorder()
	ours := func(channel string) bool { return channel == "alpha" }
	r := router.NewRouter(map[string]*router.Pipeline{"alpha": pipeline(echo), "beta": pipeline(echo)}, router.Gate(sink, ours), nil)
	r.ServeOnly(ours)
	in, finish := runRouter(t, context.Background(), r)
	in <- chat.Message{ID: "a1", Channel: "alpha", Text: "hi"}
	in <- chat.Message{ID: "b1", Channel: "beta", Text: "hi"}
	if err := finish(); err != nil {
		t.Fatal(err)
	}
	if got, other := sink.ids("alpha"), sink.ids("beta"); !slices.Equal(got, []string{"a1"}) || len(other) != 0 {
		t.Errorf("delivered #alpha %v, #beta %v; want [a1] and nothing", got, other)
	}
	gated := router.Gate(sink, ours)
	if err := gated.Deliver(context.Background(), chat.Message{ID: "b2", Channel: "beta"}, chat.Decision{Action: chat.ActionAnswer}); err != nil || len(sink.ids("beta")) != 0 {
		t.Errorf("gated delivery to #beta: %v, %v; want nothing posted", err, sink.ids("beta"))
	}
}
