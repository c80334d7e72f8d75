package chat_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/chatdesk/chatdesk/internal/chat"
)

// The help desk's kinds of foldable replies, as the desk words them.
var (
	filedFold    = chat.Fold{Kind: "filed", Noun: "ticket", Lead: "got it — ", Tail: ", a moderator will answer"}
	reportFold   = chat.Fold{Kind: "report", Noun: "ticket", Lead: "thanks — the moderators have your reports (", Tail: ")"}
	spooledFold  = chat.Fold{Kind: "spooled", Lead: "got it — a moderator will answer; the ticket numbers follow in a moment"}
	numberedFold = chat.Fold{Kind: "numbered", Noun: "ticket", Lead: "your questions are now ", Tail: " — a moderator will answer"}
)

// ack is a viewer's acknowledgement for ticket n, threaded under parent.
func ack(to string, n int64, parent string) chat.Reply {
	f := filedFold
	f.To, f.Number = to, n
	return chat.Reply{Text: fmt.Sprintf("got it — a moderator will answer (ticket #%d)", n), ParentID: parent, Priority: chat.PriorityAck, Fold: f}
}

func report(to string, n int64, parent string) chat.Reply {
	f := reportFold
	f.To, f.Number = to, n
	return chat.Reply{Text: fmt.Sprintf("thanks — the moderators have your report (ticket #%d)", n), ParentID: parent, Priority: chat.PriorityAck, Fold: f}
}

// follows is the acknowledgement of a filing spooled during an outage.
func follows(to, parent string) chat.Reply {
	f := spooledFold
	f.To = to
	return chat.Reply{Text: "@" + to + " got it — a moderator will answer — the ticket number follows in a moment", ParentID: parent, Priority: chat.PriorityAck, Fold: f}
}

// number is the notice with a spooled filing's number, once it is filed.
func number(to string, n int64, parent string) chat.Reply {
	f := numberedFold
	f.To, f.Number = to, n
	return chat.Reply{Text: fmt.Sprintf("@%s your question is ticket #%d — a moderator will answer", to, n), ParentID: parent, Priority: chat.PriorityTicket, Fold: f}
}

func staff(text, parent string) chat.Reply {
	return chat.Reply{Text: text, ParentID: parent, Priority: chat.PriorityStaff}
}

func plain(text string, p chat.Priority) chat.Reply { return chat.Reply{Text: text, Priority: p} }

// send is one Send (or, with do set, another call) at a time after the
// test's start, in channel "a" unless it says otherwise.
type send struct {
	at      time.Duration
	channel string
	r       chat.Reply
	do      func(*chat.Sender)
}

// TestSenderOrderAndFolding: who goes first, which replies share a line,
// and how a thread's replies keep their order. Each post reads
// "+offset [parent] text"; non-moderator limits (1 s apart in a channel).
func TestSenderOrderAndFolding(t *testing.T) {
	tests := []struct {
		name  string
		sends []send
		want  []string
	}{
		{
			name:  "a lone acknowledgement goes out as it is, threaded",
			sends: []send{{r: ack("ana", 1, "m1")}},
			want:  []string{"+0s [m1] got it — a moderator will answer (ticket #1)"},
		},
		{
			name: "acknowledgements spaced out go out one by one",
			sends: []send{
				{r: ack("ana", 1, "m1")},
				{at: 2 * time.Second, r: ack("bob", 2, "m2")},
			},
			want: []string{
				"+0s [m1] got it — a moderator will answer (ticket #1)",
				"+2s [m2] got it — a moderator will answer (ticket #2)",
			},
		},
		{
			name: "acknowledgements that wait fold into one line",
			sends: []send{
				{r: ack("ana", 1, "m1")},
				{at: 100 * time.Millisecond, r: ack("bob", 2, "m2")},
				{at: 200 * time.Millisecond, r: ack("cy", 3, "m3")},
				{at: 300 * time.Millisecond, r: ack("dee", 4, "m4")},
			},
			want: []string{
				"+0s [m1] got it — a moderator will answer (ticket #1)",
				"+1s [] @bob @cy @dee got it — tickets #2–#4, a moderator will answer",
			},
		},
		{
			name: "folded numbers: two are a pair, gaps are listed, a viewer is named once",
			sends: []send{
				{r: ack("ana", 1, "m1")},
				{at: 10 * time.Millisecond, r: ack("bob", 5, "m2")},
				{at: 20 * time.Millisecond, r: ack("cy", 6, "m3")},
				{at: 30 * time.Millisecond, r: ack("bob", 9, "m4")},
				{at: 1100 * time.Millisecond, r: ack("eve", 10, "m5")},
				{at: 1200 * time.Millisecond, r: ack("fay", 11, "m6")},
			},
			want: []string{
				"+0s [m1] got it — a moderator will answer (ticket #1)",
				"+1s [] @bob @cy got it — tickets #5, #6, #9, a moderator will answer",
				"+2s [] @eve @fay got it — tickets #10, #11, a moderator will answer",
			},
		},
		{
			name: "joins of one ticket fold to its number once",
			sends: []send{
				{r: ack("ana", 1, "m1")},
				{at: 10 * time.Millisecond, r: ack("bob", 1, "m2")},
				{at: 20 * time.Millisecond, r: ack("cy", 1, "m3")},
			},
			want: []string{
				"+0s [m1] got it — a moderator will answer (ticket #1)",
				"+1s [] @bob @cy got it — ticket #1, a moderator will answer",
			},
		},
		{
			name: "kinds do not mix, and each keeps its turn",
			sends: []send{
				{r: ack("ana", 1, "m1")},
				{at: 10 * time.Millisecond, r: report("bob", 2, "m2")},
				{at: 20 * time.Millisecond, r: ack("cy", 3, "m3")},
				{at: 30 * time.Millisecond, r: report("dee", 4, "m4")},
				{at: 40 * time.Millisecond, r: ack("eve", 5, "m5")},
			},
			want: []string{
				"+0s [m1] got it — a moderator will answer (ticket #1)",
				"+1s [] @bob @dee thanks — the moderators have your reports (tickets #2, #4)",
				"+2s [] @cy @eve got it — tickets #3, #5, a moderator will answer",
			},
		},
		{
			name: "channels fold apart",
			sends: []send{
				{r: ack("ana", 1, "m1")},
				{r: ack("bob", 2, "m2"), channel: "b"},
				{at: 10 * time.Millisecond, r: ack("cy", 3, "m3")},
				{at: 10 * time.Millisecond, r: ack("dee", 4, "m4"), channel: "b"},
			},
			want: []string{
				"+0s [m1] got it — a moderator will answer (ticket #1)",
				"+0s #b [m2] got it — a moderator will answer (ticket #2)",
				"+1s [m3] got it — a moderator will answer (ticket #3)",
				"+1s #b [m4] got it — a moderator will answer (ticket #4)",
			},
		},
		{
			name: "a moderator's reply goes before every waiting acknowledgement",
			sends: []send{
				{r: ack("ana", 1, "m1")},
				{at: 100 * time.Millisecond, r: ack("bob", 2, "m2")},
				{at: 200 * time.Millisecond, r: ack("cy", 3, "m3")},
				{at: 300 * time.Millisecond, r: staff("3 open, oldest first: …", "k1")},
				{at: 400 * time.Millisecond, r: staff("@x has no strikes.", "k2")},
			},
			want: []string{
				"+0s [m1] got it — a moderator will answer (ticket #1)",
				"+1s [k1] 3 open, oldest first: …",
				"+2s [k2] @x has no strikes.",
				"+3s [] @bob @cy got it — tickets #2, #3, a moderator will answer",
			},
		},
		{
			name: "a moderator's reply outlives what viewers get",
			sends: []send{
				{do: func(s *chat.Sender) { s.Hold("a", time.Minute) }},
				{r: plain("a faq answer", chat.PriorityAnswer)},
				{r: plain("a viewer's !help", chat.PriorityCommand)},
				{r: staff("#2 is yours for 15m", "k1")},
				{r: ack("ana", 1, "m1")},
			},
			want: []string{
				"+1m0s [k1] #2 is yours for 15m",
				"+1m1s [m1] got it — a moderator will answer (ticket #1)",
			},
		},
		{
			name: "a thread keeps its order whatever the priorities, and lets others pass",
			sends: []send{
				{r: plain("first", chat.PriorityTicket)},
				{at: 100 * time.Millisecond, r: follows("ana", "m1")},
				{at: 200 * time.Millisecond, r: number("ana", 7, "m1")},
				{at: 300 * time.Millisecond, r: plain("reminder", chat.PriorityTicket)},
			},
			want: []string{
				"+0s [] first",
				"+1s [] reminder",
				"+2s [m1] @ana got it — a moderator will answer — the ticket number follows in a moment",
				"+3s [m1] @ana your question is ticket #7 — a moderator will answer",
			},
		},
		{
			name: "after an outage: each viewer's number after its promise, none held 30 s",
			sends: []send{
				{r: follows("ana", "m1")},
				{at: 10 * time.Millisecond, r: follows("bob", "m2")},
				{at: 20 * time.Millisecond, r: follows("cy", "m3")},
				// The store is back: the spool is filed, the numbers come.
				{at: 50 * time.Millisecond, r: number("ana", 1, "m1")},
				{at: 50 * time.Millisecond, r: number("bob", 2, "m2")},
				{at: 50 * time.Millisecond, r: number("cy", 3, "m3")},
			},
			want: []string{
				"+0s [m1] @ana got it — a moderator will answer — the ticket number follows in a moment",
				"+1s [m1] @ana your question is ticket #1 — a moderator will answer",
				"+2s [] @bob @cy got it — a moderator will answer; the ticket numbers follow in a moment",
				"+3s [] @bob @cy your questions are now tickets #2, #3 — a moderator will answer",
			},
		},
		{
			name: "a repeat waits only until another message comes between",
			sends: []send{
				{r: plain("same text", chat.PriorityTicket)},
				{at: 100 * time.Millisecond, r: plain("same text", chat.PriorityTicket)},
				{at: 200 * time.Millisecond, r: plain("other text", chat.PriorityTicket)},
			},
			want: []string{
				"+0s [] same text",
				"+1s [] other text",
				"+2s [] same text",
			},
		},
		{
			name: "a repeat with nothing between waits out Twitch's 30 s",
			sends: []send{
				{r: plain("same text", chat.PriorityTicket)},
				{r: plain("same text", chat.PriorityTicket)},
			},
			want: []string{
				"+0s [] same text",
				"+30s [] same text",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				s, w := startSender(t, chat.SenderConfig{})
				for _, st := range tt.sends {
					time.Sleep(start.Add(st.at).Sub(time.Now()))
					if st.do != nil {
						st.do(s)
						continue
					}
					ch := st.channel
					if ch == "" {
						ch = "a"
					}
					if err := s.Send(ch, st.r); err != nil {
						t.Fatalf("Send(%q): %v", st.r.Text, err)
					}
				}
				time.Sleep(5 * time.Minute)
				synctest.Wait()
				var got []string
				for _, p := range w.all() {
					ch := ""
					if p.channel != "a" {
						ch = "#" + p.channel + " "
					}
					got = append(got, fmt.Sprintf("+%v %s[%s] %s", p.at.Sub(start), ch, p.parentID, p.text))
				}
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Errorf("posted:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
				}
			})
		})
	}
}

// TestSenderFoldsAFlood: 60 viewers' acknowledgements arriving 20 ms apart
// go out in a handful of lines, each within one chat message, naming every
// viewer exactly once, oldest first, and the last is out within 3 s.
func TestSenderFoldsAFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var posted []chat.Posted
		s, w := startSender(t, chat.SenderConfig{OnPost: func(p chat.Posted) { posted = append(posted, p) }})
		for i := range 60 {
			s.Send("a", ack(fmt.Sprintf("viewer_%03d", i), int64(i+1), fmt.Sprint("m", i)))
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		var named []string
		for i, p := range posted {
			if n := utf8.RuneCountInString(p.Text); n > chat.MaxMessageRunes {
				t.Errorf("post %d is %d runes; want at most %d", i, n, chat.MaxMessageRunes)
			}
			if p.Folded > 1 {
				named = append(named, p.To...)
			} else {
				named = append(named, strings.TrimPrefix(p.ParentID, "m"))
			}
		}
		for i, n := range named {
			if want1, want2 := fmt.Sprintf("viewer_%03d", i), fmt.Sprint(i); n != want1 && n != want2 {
				t.Fatalf("viewer %d told as %q; want each viewer once, in order (posts %v)", i, n, w.all())
			}
		}
		if len(named) != 60 || len(posted) > 4 {
			t.Errorf("%d viewers told in %d messages; want 60 in at most 4", len(named), len(posted))
		}
		if last := posted[len(posted)-1].At.Sub(start); last > 3*time.Second {
			t.Errorf("the last acknowledgement went out at +%v; want within 3s", last)
		}
		if st := s.Stats(); st.Folded < 55 || st.Posted != int64(len(posted)) {
			t.Errorf("stats %+v; want most of the 60 counted as folded", st)
		}
	})
}

// TestSenderQueueFull: a full queue makes room for what is owed by
// shedding what would go stale anyway, and refuses only when what waits is
// all owed.
func TestSenderQueueFull(t *testing.T) {
	tests := []struct {
		name     string
		queued   []chat.Reply
		incoming chat.Reply
		wantErr  error
		want     chat.SenderStats // Queued, Shed and Rejected are compared
	}{
		{
			name:     "room to spare",
			queued:   []chat.Reply{plain("faq", chat.PriorityAnswer)},
			incoming: staff("reply", "k1"),
			want:     chat.SenderStats{Queued: 2},
		},
		{
			name:     "a moderator's reply sheds the newest FAQ answer",
			queued:   []chat.Reply{plain("faq 1", chat.PriorityAnswer), plain("tip", chat.PriorityTip), plain("faq 2", chat.PriorityAnswer)},
			incoming: staff("reply", "k1"),
			want:     chat.SenderStats{Queued: 3, Shed: 1},
		},
		{
			name:     "an acknowledgement sheds a viewer's !help reply",
			queued:   []chat.Reply{ack("ana", 1, "m1"), plain("help", chat.PriorityCommand), ack("bob", 2, "m2")},
			incoming: ack("cy", 3, "m3"),
			want:     chat.SenderStats{Queued: 3, Shed: 1},
		},
		{
			name:     "nothing less urgent to shed: a FAQ answer is refused",
			queued:   []chat.Reply{plain("faq 1", chat.PriorityAnswer), plain("faq 2", chat.PriorityAnswer), plain("faq 3", chat.PriorityAnswer)},
			incoming: plain("faq 4", chat.PriorityAnswer),
			wantErr:  chat.ErrQueueFull,
			want:     chat.SenderStats{Queued: 3, Rejected: 1},
		},
		{
			name:     "what is owed is never pushed out",
			queued:   []chat.Reply{ack("ana", 1, "m1"), plain("ticket answer", chat.PriorityTicket), ack("bob", 2, "m2")},
			incoming: staff("reply", "k1"),
			wantErr:  chat.ErrQueueFull,
			want:     chat.SenderStats{Queued: 3, Rejected: 1},
		},
		{
			name:     "an acknowledgement rides past a full queue with one it folds into",
			queued:   []chat.Reply{ack("ana", 1, "m1"), staff("reply", "k1"), staff("reply 2", "k2")},
			incoming: ack("bob", 2, "m2"),
			want:     chat.SenderStats{Queued: 4},
		},
		{
			name:     "an acknowledgement with nothing to fold into is refused",
			queued:   []chat.Reply{staff("reply", "k1"), staff("reply 2", "k2"), staff("reply 3", "k3")},
			incoming: ack("bob", 2, "m2"),
			wantErr:  chat.ErrQueueFull,
			want:     chat.SenderStats{Queued: 3, Rejected: 1},
		},
		{
			name:     "not past twice the bound",
			queued:   []chat.Reply{ack("ana", 1, "m1"), ack("bob", 2, "m2"), ack("cy", 3, "m3"), ack("dan", 4, "m4"), ack("eve", 5, "m5"), ack("fay", 6, "m6")},
			incoming: ack("gus", 7, "m7"),
			wantErr:  chat.ErrQueueFull,
			want:     chat.SenderStats{Queued: 6, Rejected: 1},
		},
		{
			name:     "a long reply sheds whole replies, never half of one",
			queued:   []chat.Reply{plain("faq", chat.PriorityAnswer), plain(strings.Repeat("long answer ", 50), chat.PriorityAnswer)},
			incoming: staff("reply", "k1"),
			want:     chat.SenderStats{Queued: 2, Shed: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := chat.NewSender(&wire{}, chat.SenderConfig{QueueSize: 3})
			for _, r := range tt.queued {
				if err := s.Send("a", r); err != nil {
					t.Fatalf("Send(%q): %v", r.Text, err)
				}
			}
			if err := s.Send("a", tt.incoming); !errors.Is(err, tt.wantErr) {
				t.Errorf("Send = %v; want %v", err, tt.wantErr)
			}
			st := s.Stats()
			if got := (chat.SenderStats{Queued: st.Queued, Shed: st.Shed, Rejected: st.Rejected}); got != tt.want {
				t.Errorf("stats %+v; want %+v", got, tt.want)
			}
			if st.Capacity != 3 {
				t.Errorf("capacity %d; want 3", st.Capacity)
			}
		})
	}
}

// TestSenderStaffPassesAnotherChannelsBudget: with 20 messages in the last
// 30 s, a reply in a channel the bot does not moderate must wait for the
// window to roll over; a moderator's reply in a channel it moderates (100
// allowed) does not wait behind it, but viewers' replies there do, so the
// first channel is never starved.
func TestSenderStaffPassesAnotherChannelsBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		s, w := startSender(t, chat.SenderConfig{})
		s.SetModerator("a", true)
		for i := range 20 {
			s.Send(fmt.Sprint("c", i), plain("ticket answer", chat.PriorityTicket))
		}
		synctest.Wait()
		s.Send("b", staff("@x has no strikes.", "kb"))
		s.Send("a", staff("@y has no strikes.", "ka"))
		s.Send("a", ack("ana", 1, "m1"))
		time.Sleep(time.Minute)
		synctest.Wait()
		var got []string
		for _, p := range w.all()[20:] {
			got = append(got, fmt.Sprintf("+%v #%s %s", p.at.Sub(start), p.channel, p.text))
		}
		want := []string{
			"+0s #a @y has no strikes.",
			"+30s #b @x has no strikes.",
			"+30s #a got it — a moderator will answer (ticket #1)",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("posted:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
