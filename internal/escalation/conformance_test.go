package escalation_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/escalation"
)

// t0 is the suite's clock start. Times are whole milliseconds, the
// precision Redis keeps.
var t0 = time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// newTicket is a question from user, filed by message id.
func newTicket(channel, id, user, text string, when time.Time) escalation.NewTicket {
	return escalation.NewTicket{
		Channel: channel, Kind: escalation.KindQuestion, Source: escalation.SourceAsk, Text: text, MessageID: id,
		Askers:  []escalation.Asker{{User: user, DisplayName: user, MessageID: id, Text: text, At: when}},
		Context: []escalation.Line{{At: when.Add(-time.Minute), Text: "hi chat"}},
		At:      when,
	}
}

// testStore is the conformance suite every Store backend must pass. open
// returns a fresh, empty store that the test may use until it ends.
func testStore(t *testing.T, open func(t *testing.T) escalation.Store) {
	ctx := context.Background()

	// create files a question and returns the ticket.
	create := func(t *testing.T, s escalation.Store, channel, id, user string) escalation.Ticket {
		t.Helper()
		tk, created, err := s.Create(ctx, newTicket(channel, id, user, "when is the next collab?", at(0)))
		if err != nil || !created {
			t.Fatalf("Create(%s) = created %v, %v; want a new ticket", id, created, err)
		}
		return tk
	}
	op := func(tk escalation.Ticket, by, id string, d time.Duration) escalation.Op {
		return escalation.Op{Channel: tk.Channel, Number: tk.Number, By: by, ID: id, At: at(d)}
	}

	t.Run("create numbers tickets per channel and keeps what was filed", func(t *testing.T) {
		s := open(t)
		a := create(t, s, "mira", "m1", "ana")
		b := create(t, s, "mira", "m2", "bob")
		c := create(t, s, "otto", "m3", "cy")
		if a.Number != 1 || b.Number != 2 || c.Number != 1 {
			t.Fatalf("numbers %d, %d, %d; want 1, 2 in #mira and 1 in #otto", a.Number, b.Number, c.Number)
		}
		got, err := s.Get(ctx, "mira", 1)
		if err != nil {
			t.Fatal(err)
		}
		want := newTicket("mira", "m1", "ana", "when is the next collab?", at(0))
		if got.Ref() != "#1" || got.State != escalation.StateNew || got.Revision != 1 || got.Kind != want.Kind ||
			got.Source != want.Source || got.Text != want.Text || got.MessageID != "m1" || !got.CreatedAt.Equal(at(0)) || got.AskerCount != 1 {
			t.Errorf("Get = %+v; want #1, new, revision 1, as filed", got)
		}
		if len(got.Askers) != 1 || got.Askers[0].User != "ana" || got.Askers[0].MessageID != "m1" || got.Askers[0].Text != want.Text || !got.Askers[0].At.Equal(at(0)) {
			t.Errorf("askers = %+v; want ana on m1", got.Askers)
		}
		if len(got.Context) != 1 || got.Context[0].Text != "hi chat" || !got.Context[0].At.Equal(at(-time.Minute)) {
			t.Errorf("context = %+v; want the line filed with it", got.Context)
		}
	})

	t.Run("create is idempotent on the message id", func(t *testing.T) {
		s := open(t)
		first := create(t, s, "mira", "m1", "ana")
		again, created, err := s.Create(ctx, newTicket("mira", "m1", "ana", "when is the next collab?", at(time.Second)))
		if err != nil || created || again.Number != first.Number {
			t.Fatalf("second Create = #%d created %v, %v; want #%d, not created", again.Number, created, err, first.Number)
		}
		all, err := s.List(ctx, "mira", escalation.Filter{})
		if err != nil || len(all) != 1 {
			t.Fatalf("List = %d tickets, %v; want 1", len(all), err)
		}
	})

	t.Run("concurrent creates: one ticket per message, numbers without gaps", func(t *testing.T) {
		s := open(t)
		const n = 20
		var wg sync.WaitGroup
		nums := make([]int64, 2*n)
		errs := make([]error, 2*n)
		for i := range 2 * n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each message is filed twice, as a retry would.
				tk, _, err := s.Create(ctx, newTicket("mira", fmt.Sprintf("m%d", i%n), fmt.Sprintf("v%d", i%n), "q", at(0)))
				nums[i], errs[i] = tk.Number, err
			}()
		}
		wg.Wait()
		seen := map[int64]bool{}
		for i := range n {
			if errs[i] != nil || errs[i+n] != nil {
				t.Fatalf("Create: %v, %v", errs[i], errs[i+n])
			}
			if nums[i] != nums[i+n] {
				t.Errorf("message m%d filed as #%d and #%d; want one ticket", i, nums[i], nums[i+n])
			}
			seen[nums[i]] = true
		}
		for k := int64(1); k <= n; k++ {
			if !seen[k] {
				t.Errorf("no ticket #%d; numbers %v", k, nums[:n])
			}
		}
	})

	t.Run("create refuses an incomplete ticket", func(t *testing.T) {
		s := open(t)
		bad := newTicket("mira", "", "ana", "q", at(0))
		if _, _, err := s.Create(ctx, bad); err == nil {
			t.Error("Create without a message id succeeded")
		}
		bad = newTicket("mira", "m1", "ana", "q", at(0))
		bad.Askers = nil
		if _, _, err := s.Create(ctx, bad); err == nil {
			t.Error("Create without an asker succeeded")
		}
	})

	t.Run("claim: a lease that another moderator must respect until it expires", func(t *testing.T) {
		s := open(t)
		tk := create(t, s, "mira", "m1", "ana")
		lease := 10 * time.Minute
		got, err := s.Claim(ctx, op(tk, "kim", "c1", time.Minute), lease)
		if err != nil || got.State != escalation.StateClaimed || got.ClaimedBy != "kim" || !got.LeaseUntil.Equal(at(11*time.Minute)) || !got.ClaimedAt.Equal(at(time.Minute)) {
			t.Fatalf("Claim = %+v, %v; want claimed by kim until +11m", got, err)
		}
		_, err = s.Claim(ctx, op(tk, "lee", "c2", 5*time.Minute), lease)
		var te *escalation.TransitionError
		if !errors.Is(err, escalation.ErrClaimed) || !errors.As(err, &te) || te.Ticket.ClaimedBy != "kim" {
			t.Fatalf("lee's Claim inside the lease = %v; want ErrClaimed naming kim", err)
		}
		got, err = s.Claim(ctx, op(tk, "kim", "c3", 5*time.Minute), lease)
		if err != nil || !got.LeaseUntil.Equal(at(15*time.Minute)) || !got.ClaimedAt.Equal(at(time.Minute)) {
			t.Fatalf("kim's renewal = %+v, %v; want lease until +15m, claimed at +1m", got, err)
		}
		got, err = s.Claim(ctx, op(tk, "lee", "c4", 15*time.Minute), lease)
		if err != nil || got.ClaimedBy != "lee" || !got.ClaimedAt.Equal(at(15*time.Minute)) {
			t.Fatalf("lee's Claim after the lease = %+v, %v; want lee's", got, err)
		}
	})

	t.Run("answer: from new or one's own claim; first response stays put", func(t *testing.T) {
		s := open(t)
		tk := create(t, s, "mira", "m1", "ana")
		if _, err := s.Claim(ctx, op(tk, "kim", "c1", time.Minute), 10*time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Answer(ctx, op(tk, "lee", "a1", 2*time.Minute), "no"); !errors.Is(err, escalation.ErrClaimed) {
			t.Fatalf("lee answering kim's claim = %v; want ErrClaimed", err)
		}
		got, err := s.Answer(ctx, op(tk, "kim", "a2", 3*time.Minute), "Friday at 8")
		if err != nil || got.State != escalation.StateAnswered || got.Answer != "Friday at 8" || got.AnsweredBy != "kim" ||
			!got.FirstResponseAt.Equal(at(3*time.Minute)) || !got.LeaseUntil.IsZero() {
			t.Fatalf("Answer = %+v, %v; want answered by kim at +3m", got, err)
		}
		got, err = s.Answer(ctx, op(tk, "lee", "a3", 4*time.Minute), "Friday at 9, sorry")
		if err != nil || got.Answer != "Friday at 9, sorry" || got.AnsweredBy != "lee" || !got.FirstResponseAt.Equal(at(3*time.Minute)) {
			t.Fatalf("amended Answer = %+v, %v; want lee's text, first response still +3m", got, err)
		}
		other := create(t, s, "mira", "m2", "bob")
		got, err = s.Answer(ctx, op(other, "lee", "a4", 5*time.Minute), "yes")
		if err != nil || got.State != escalation.StateAnswered || got.ClaimedBy != "lee" {
			t.Fatalf("Answer on a new ticket = %+v, %v; want answered, claimed by lee", got, err)
		}
	})

	t.Run("transitions allowed from each state", func(t *testing.T) {
		type step func(s escalation.Store, o escalation.Op) (escalation.Ticket, error)
		claim := func(s escalation.Store, o escalation.Op) (escalation.Ticket, error) {
			return s.Claim(ctx, o, time.Hour)
		}
		answer := func(s escalation.Store, o escalation.Op) (escalation.Ticket, error) { return s.Answer(ctx, o, "yes") }
		resolve := func(s escalation.Store, o escalation.Op) (escalation.Ticket, error) { return s.Resolve(ctx, o) }
		dismiss := func(s escalation.Store, o escalation.Op) (escalation.Ticket, error) { return s.Dismiss(ctx, o, "spam") }
		reopen := func(s escalation.Store, o escalation.Op) (escalation.Ticket, error) { return s.Reopen(ctx, o) }
		steps := map[string]step{"claim": claim, "answer": answer, "resolve": resolve, "dismiss": dismiss, "reopen": reopen}
		// to brings a fresh ticket into a state.
		to := map[escalation.State][]string{
			escalation.StateNew:       nil,
			escalation.StateClaimed:   {"claim"},
			escalation.StateAnswered:  {"answer"},
			escalation.StateResolved:  {"resolve"},
			escalation.StateDismissed: {"dismiss"},
		}
		cases := []struct {
			from escalation.State
			step string
			want escalation.State // "" means refused with ErrState
		}{
			{escalation.StateNew, "claim", escalation.StateClaimed},
			{escalation.StateNew, "answer", escalation.StateAnswered},
			{escalation.StateNew, "resolve", escalation.StateResolved},
			{escalation.StateNew, "dismiss", escalation.StateDismissed},
			{escalation.StateNew, "reopen", ""},
			{escalation.StateClaimed, "claim", escalation.StateClaimed},
			{escalation.StateClaimed, "answer", escalation.StateAnswered},
			{escalation.StateClaimed, "resolve", escalation.StateResolved},
			{escalation.StateClaimed, "dismiss", escalation.StateDismissed},
			{escalation.StateClaimed, "reopen", ""},
			{escalation.StateAnswered, "claim", ""},
			{escalation.StateAnswered, "answer", escalation.StateAnswered},
			{escalation.StateAnswered, "resolve", escalation.StateResolved},
			{escalation.StateAnswered, "dismiss", escalation.StateDismissed},
			{escalation.StateAnswered, "reopen", ""},
			{escalation.StateResolved, "claim", ""},
			{escalation.StateResolved, "answer", ""},
			{escalation.StateResolved, "resolve", ""},
			{escalation.StateResolved, "dismiss", ""},
			{escalation.StateResolved, "reopen", escalation.StateNew},
			{escalation.StateDismissed, "claim", ""},
			{escalation.StateDismissed, "answer", ""},
			{escalation.StateDismissed, "resolve", ""},
			{escalation.StateDismissed, "dismiss", ""},
			{escalation.StateDismissed, "reopen", ""},
		}
		s := open(t)
		for i, c := range cases {
			tk := create(t, s, "mira", fmt.Sprintf("m%d", i), "ana")
			for j, name := range to[c.from] {
				if _, err := steps[name](s, op(tk, "kim", fmt.Sprintf("setup%d-%d", i, j), time.Minute)); err != nil {
					t.Fatalf("%s: bringing #%d to %s: %v", c.from, tk.Number, c.from, err)
				}
			}
			got, err := steps[c.step](s, op(tk, "kim", fmt.Sprintf("step%d", i), 2*time.Minute))
			if c.want == "" {
				if !errors.Is(err, escalation.ErrState) || got.State != c.from {
					t.Errorf("%s from %s = %s, %v; want refused with ErrState, still %s", c.step, c.from, got.State, err, c.from)
				}
				continue
			}
			if err != nil || got.State != c.want {
				t.Errorf("%s from %s = %s, %v; want %s", c.step, c.from, got.State, err, c.want)
			}
		}
	})

	t.Run("reopen counts and clears the claim; dismiss keeps the reason", func(t *testing.T) {
		s := open(t)
		tk := create(t, s, "mira", "m1", "ana")
		if _, err := s.Answer(ctx, op(tk, "kim", "a1", time.Minute), "yes"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Resolve(ctx, op(tk, "kim", "r1", 2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Reopen(ctx, op(tk, "ana", "o1", 3*time.Minute))
		if err != nil || got.State != escalation.StateNew || got.Reopens != 1 || got.ClaimedBy != "" || !got.ClosedAt.IsZero() || got.Answer != "yes" {
			t.Fatalf("Reopen = %+v, %v; want new, 1 reopen, unclaimed, old answer on record", got, err)
		}
		got, err = s.Dismiss(ctx, op(tk, "kim", "d1", 4*time.Minute), "asked and answered")
		if err != nil || got.State != escalation.StateDismissed || got.Reason != "asked and answered" || got.ClosedBy != "kim" || !got.ClosedAt.Equal(at(4*time.Minute)) {
			t.Fatalf("Dismiss = %+v, %v; want dismissed by kim with the reason", got, err)
		}
	})

	t.Run("a retried operation applies once", func(t *testing.T) {
		s := open(t)
		tk := create(t, s, "mira", "m1", "ana")
		if _, err := s.Resolve(ctx, op(tk, "kim", "r1", time.Minute)); err != nil {
			t.Fatal(err)
		}
		first, err := s.Reopen(ctx, op(tk, "kim", "o1", 2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.Reopen(ctx, op(tk, "kim", "o1", 2*time.Minute))
		if err != nil || again.Reopens != 1 || again.Revision != first.Revision || again.State != escalation.StateNew {
			t.Fatalf("retried Reopen = reopens %d, revision %d, %s, %v; want 1, %d, new, no error", again.Reopens, again.Revision, again.State, err, first.Revision)
		}
	})

	t.Run("a stale revision is refused", func(t *testing.T) {
		s := open(t)
		tk := create(t, s, "mira", "m1", "ana")
		o := op(tk, "kim", "c1", time.Minute)
		o.Rev = tk.Revision + 1
		if _, err := s.Claim(ctx, o, time.Hour); !errors.Is(err, escalation.ErrStale) {
			t.Fatalf("Claim at revision %d = %v; want ErrStale", o.Rev, err)
		}
		o.Rev = tk.Revision
		got, err := s.Claim(ctx, o, time.Hour)
		if err != nil || got.Revision != tk.Revision+1 {
			t.Fatalf("Claim at the current revision = %+v, %v; want claimed, revision %d", got, err, tk.Revision+1)
		}
	})

	t.Run("unknown tickets", func(t *testing.T) {
		s := open(t)
		create(t, s, "mira", "m1", "ana")
		if _, err := s.Get(ctx, "mira", 99); !errors.Is(err, escalation.ErrNotFound) {
			t.Errorf("Get(99) = %v; want ErrNotFound", err)
		}
		if _, err := s.Get(ctx, "nobody", 1); !errors.Is(err, escalation.ErrNotFound) {
			t.Errorf("Get in an unknown channel = %v; want ErrNotFound", err)
		}
		o := escalation.Op{Channel: "mira", Number: 99, By: "kim", ID: "x", At: at(0)}
		if _, err := s.Claim(ctx, o, time.Hour); !errors.Is(err, escalation.ErrNotFound) {
			t.Errorf("Claim(99) = %v; want ErrNotFound", err)
		}
		if _, err := s.Delivered(ctx, o, "ana"); !errors.Is(err, escalation.ErrNotFound) {
			t.Errorf("Delivered(99) = %v; want ErrNotFound", err)
		}
	})

	t.Run("join: +1 from other viewers, once each, open tickets only", func(t *testing.T) {
		s := open(t)
		tk := create(t, s, "mira", "m1", "ana")
		bob := escalation.Asker{User: "bob", MessageID: "m2", Text: "collab when?", At: at(time.Minute)}
		got, err := s.Join(ctx, op(tk, "bob", "m2", time.Minute), bob)
		if err != nil || len(got.Askers) != 2 || got.Askers[1].User != "bob" || got.Askers[1].Text != "collab when?" || got.AskerCount != 2 {
			t.Fatalf("Join = %+v, %v; want ana and bob", got.Askers, err)
		}
		again, err := s.Join(ctx, op(tk, "bob", "m3", 2*time.Minute), bob)
		if err != nil || len(again.Askers) != 2 || again.AskerCount != 2 || again.Revision != got.Revision {
			t.Fatalf("bob joining again = %d askers (count %d, revision %d), %v; want unchanged", len(again.Askers), again.AskerCount, again.Revision, err)
		}
		for i := range escalation.MaxAskers + 5 {
			u := fmt.Sprintf("v%d", i)
			if _, err := s.Join(ctx, op(tk, u, "j"+u, 3*time.Minute), escalation.Asker{User: u, At: at(3 * time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
		got, err = s.Get(ctx, "mira", tk.Number)
		if err != nil || len(got.Askers) != escalation.MaxAskers || got.AskerCount != escalation.MaxAskers+7 {
			t.Fatalf("after many joins: %d kept, count %d, %v; want %d kept, count %d", len(got.Askers), got.AskerCount, err, escalation.MaxAskers, escalation.MaxAskers+7)
		}
		if _, err := s.Dismiss(ctx, op(tk, "kim", "d1", 4*time.Minute), "dup"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Join(ctx, op(tk, "cy", "m9", 5*time.Minute), escalation.Asker{User: "cy", At: at(5 * time.Minute)}); !errors.Is(err, escalation.ErrState) {
			t.Fatalf("Join on a dismissed ticket = %v; want ErrState", err)
		}
	})

	t.Run("answers are owed to every asker until delivered, exactly once", func(t *testing.T) {
		s := open(t)
		tk := create(t, s, "mira", "m1", "ana")
		if _, err := s.Join(ctx, op(tk, "bob", "m2", time.Minute), escalation.Asker{User: "bob", MessageID: "m2", At: at(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if users, _ := s.OwedUsers(ctx, "mira"); len(users) != 0 {
			t.Fatalf("OwedUsers before an answer = %v; want none", users)
		}
		if _, err := s.Answer(ctx, op(tk, "kim", "a1", 2*time.Minute), "Friday"); err != nil {
			t.Fatal(err)
		}
		if users, err := s.OwedUsers(ctx, "mira"); err != nil || fmt.Sprint(users) != "[ana bob]" {
			t.Fatalf("OwedUsers = %v, %v; want [ana bob]", users, err)
		}
		owed, err := s.Owed(ctx, "mira", "ana")
		if err != nil || len(owed) != 1 || owed[0].Number != tk.Number || owed[0].Answer != "Friday" {
			t.Fatalf("Owed(ana) = %+v, %v; want #%d with its answer", owed, err, tk.Number)
		}
		d := op(tk, "", "", 3*time.Minute)
		if ok, err := s.Delivered(ctx, d, "ana"); !ok || err != nil {
			t.Fatalf("first Delivered(ana) = %v, %v; want true", ok, err)
		}
		if ok, err := s.Delivered(ctx, d, "ana"); ok || err != nil {
			t.Fatalf("second Delivered(ana) = %v, %v; want false", ok, err)
		}
		if ok, _ := s.Delivered(ctx, d, "zed"); ok {
			t.Fatal("Delivered to a viewer who never asked = true")
		}
		if owed, _ := s.Owed(ctx, "mira", "ana"); len(owed) != 0 {
			t.Fatalf("Owed(ana) after delivery = %d tickets; want none", len(owed))
		}
		got, _ := s.Get(ctx, "mira", tk.Number)
		if a, _ := got.Asker("ana"); !a.DeliveredAt.Equal(at(3 * time.Minute)) {
			t.Errorf("ana delivered at %v; want +3m", a.DeliveredAt)
		}
		// A viewer joining an answered ticket is owed the answer too.
		if _, err := s.Join(ctx, op(tk, "cy", "m3", 4*time.Minute), escalation.Asker{User: "cy", At: at(4 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if users, _ := s.OwedUsers(ctx, "mira"); fmt.Sprint(users) != "[bob cy]" {
			t.Fatalf("OwedUsers after cy joined = %v; want [bob cy]", users)
		}
		// Resolving leaves the answer owed; an amended answer is owed again
		// to everyone; dismissing owes nothing.
		if _, err := s.Resolve(ctx, op(tk, "kim", "r1", 5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if users, _ := s.OwedUsers(ctx, "mira"); fmt.Sprint(users) != "[bob cy]" {
			t.Fatalf("OwedUsers after resolve = %v; want [bob cy]", users)
		}
		if _, err := s.Reopen(ctx, op(tk, "kim", "o1", 6*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Answer(ctx, op(tk, "kim", "a2", 7*time.Minute), "Saturday"); err != nil {
			t.Fatal(err)
		}
		if users, _ := s.OwedUsers(ctx, "mira"); fmt.Sprint(users) != "[ana bob cy]" {
			t.Fatalf("OwedUsers after a new answer = %v; want [ana bob cy]", users)
		}
		if _, err := s.Dismiss(ctx, op(tk, "kim", "d1", 8*time.Minute), "wrong channel"); err != nil {
			t.Fatal(err)
		}
		if users, _ := s.OwedUsers(ctx, "mira"); len(users) != 0 {
			t.Fatalf("OwedUsers after dismiss = %v; want none", users)
		}
	})

	t.Run("an answer nobody came back for expires", func(t *testing.T) {
		s := open(t)
		tk := create(t, s, "mira", "m1", "ana")
		if _, err := s.Answer(ctx, op(tk, "kim", "a1", time.Minute), "Friday"); err != nil {
			t.Fatal(err)
		}
		d := op(tk, "", "", 48*time.Hour)
		if ok, err := s.Expire(ctx, d, "ana"); !ok || err != nil {
			t.Fatalf("Expire(ana) = %v, %v; want true", ok, err)
		}
		if ok, _ := s.Expire(ctx, d, "ana"); ok {
			t.Fatal("second Expire(ana) = true")
		}
		if ok, _ := s.Delivered(ctx, d, "ana"); ok {
			t.Fatal("Delivered after Expire = true; the answer is no longer owed")
		}
		if users, _ := s.OwedUsers(ctx, "mira"); len(users) != 0 {
			t.Fatalf("OwedUsers after expiry = %v; want none", users)
		}
		got, _ := s.Get(ctx, "mira", tk.Number)
		if a, _ := got.Asker("ana"); !a.ExpiredAt.Equal(at(48*time.Hour)) || !a.DeliveredAt.IsZero() {
			t.Errorf("ana: expired %v, delivered %v; want expired at +48h, never delivered", a.ExpiredAt, a.DeliveredAt)
		}
		// A new answer is owed again.
		if _, err := s.Answer(ctx, op(tk, "kim", "a2", 49*time.Hour), "Saturday"); err != nil {
			t.Fatal(err)
		}
		if users, _ := s.OwedUsers(ctx, "mira"); fmt.Sprint(users) != "[ana]" {
			t.Fatalf("OwedUsers after a new answer = %v; want [ana]", users)
		}
	})

	t.Run("remind at most once per interval, open tickets only", func(t *testing.T) {
		s := open(t)
		tk := create(t, s, "mira", "m1", "ana")
		every := 5 * time.Minute
		for _, c := range []struct {
			d    time.Duration
			want bool
		}{{10 * time.Minute, true}, {12 * time.Minute, false}, {15 * time.Minute, true}} {
			ok, err := s.Remind(ctx, op(tk, "", "", c.d), every)
			if err != nil || ok != c.want {
				t.Errorf("Remind at +%v = %v, %v; want %v", c.d, ok, err, c.want)
			}
		}
		if _, err := s.Resolve(ctx, op(tk, "kim", "r1", 16*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.Remind(ctx, op(tk, "", "", time.Hour), every); ok {
			t.Error("Remind on a resolved ticket = true")
		}
	})

	t.Run("list: oldest first, open only, by state, limited", func(t *testing.T) {
		s := open(t)
		var tks []escalation.Ticket
		for i := range 5 {
			tks = append(tks, create(t, s, "mira", fmt.Sprintf("m%d", i), "ana"))
		}
		create(t, s, "otto", "x1", "cy")
		if _, err := s.Resolve(ctx, op(tks[1], "kim", "r1", time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, op(tks[3], "kim", "c1", time.Minute), time.Hour); err != nil {
			t.Fatal(err)
		}
		numbers := func(ts []escalation.Ticket) string {
			var out []int64
			for _, t := range ts {
				out = append(out, t.Number)
			}
			return fmt.Sprint(out)
		}
		for _, c := range []struct {
			f    escalation.Filter
			want string
		}{
			{escalation.Filter{}, "[1 2 3 4 5]"},
			{escalation.Filter{Open: true}, "[1 3 4 5]"},
			{escalation.Filter{States: []escalation.State{escalation.StateClaimed, escalation.StateResolved}}, "[2 4]"},
			{escalation.Filter{Open: true, Limit: 2}, "[1 3]"},
		} {
			got, err := s.List(ctx, "mira", c.f)
			if err != nil || numbers(got) != c.want {
				t.Errorf("List(%+v) = %s, %v; want %s", c.f, numbers(got), err, c.want)
			}
		}
		if got, err := s.List(ctx, "nobody", escalation.Filter{}); err != nil || len(got) != 0 {
			t.Errorf("List of an unknown channel = %d, %v; want none", len(got), err)
		}
	})

	t.Run("two moderators racing to claim: exactly one wins", func(t *testing.T) {
		s := open(t)
		for round := range 10 {
			tk := create(t, s, "mira", fmt.Sprintf("m%d", round), "ana")
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, mod := range []string{"kim", "lee"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = s.Claim(ctx, op(tk, mod, "claim-"+mod, time.Minute), time.Hour)
				}()
			}
			wg.Wait()
			wins := 0
			for _, err := range errs {
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, escalation.ErrClaimed):
					t.Fatalf("round %d: Claim = %v; want success or ErrClaimed", round, err)
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d claims won; want exactly 1", round, wins)
			}
		}
	})

	// The event log is part of the store, held to the same suite.
	testEventLog(t, open)
}
