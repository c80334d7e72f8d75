package escalation

import (
	"fmt"
	"testing"
	"time"
)

func TestSimilar(t *testing.T) {
	names := []string{"chatdesk", "mira"}
	cases := []struct {
		a, b string
		want bool
	}{
		{"when is the next collab?", "@mira collab when??", true},
		{"hey does anyone know when the next collab is", "when's the collab", true},
		{"what's the wifi password lol", "whats ur wifi password", true},
		{"what game are you playing", "what game is this", true},
		{"主播什么时候开播", "什么时候开播啊", true},
		{"is the merch store open", "merch store open?", true},
		{"when is the next collab?", "where is the next collab?", false},
		{"when do you stream", "when is the next collab", false},
		{"what?", "what??", false},
		{"what is this", "what was that", false},
		{"what game is this", "what song is this", false},
		{"what is going on with the merch today?", "what is going on with the discord today?", false},
		{"what's going on with the merch today?", "merch today??", true},
		{"主播什么时候开播", "主播用什么键盘", false},
		{"", "when is the collab", false},
	}
	for _, c := range cases {
		got := similar(newWording(termsOf(c.a, names)), newWording(termsOf(c.b, names)))
		if got != c.want {
			t.Errorf("similar(%q, %q) = %v; want %v (terms %v and %v)", c.a, c.b, got, c.want, termsOf(c.a, names), termsOf(c.b, names))
		}
	}
}

func TestCrowd(t *testing.T) {
	t0 := time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)
	ask := func(c *crowd, user, text string, d time.Duration) []Asker {
		return c.add(Asker{User: user, Text: text, At: t0.Add(d)}, newWording(termsOf(text, nil)))
	}
	t.Run("three viewers within the window", func(t *testing.T) {
		c := &crowd{n: 3, within: 5 * time.Minute}
		if got := ask(c, "ana", "is the merch store open?", 0); got != nil {
			t.Fatalf("first asker: %v; want nothing yet", got)
		}
		if got := ask(c, "ana", "merch store open??", time.Minute); got != nil {
			t.Fatalf("same viewer again: %v; want nothing yet", got)
		}
		if got := ask(c, "bob", "what game is this", time.Minute); got != nil {
			t.Fatalf("another question: %v; want nothing", got)
		}
		if got := ask(c, "bob", "is the merch store open", 2*time.Minute); got != nil {
			t.Fatalf("second viewer: %v; want nothing yet", got)
		}
		got := ask(c, "cy", "merch store open?", 3*time.Minute)
		if fmt.Sprint(users(got)) != "[ana bob cy]" {
			t.Fatalf("third viewer: %v; want [ana bob cy]", users(got))
		}
		if got[0].Text != "merch store open??" {
			t.Errorf("ana's text %q; want her latest wording", got[0].Text)
		}
		if got := ask(c, "dan", "merch store open?", 4*time.Minute); got != nil {
			t.Fatalf("after the ticket: %v; the group starts over", got)
		}
	})
	t.Run("questions older than the window do not count", func(t *testing.T) {
		c := &crowd{n: 3, within: 5 * time.Minute}
		ask(c, "ana", "is the merch store open?", 0)
		ask(c, "bob", "is the merch store open?", 2*time.Minute)
		if got := ask(c, "cy", "is the merch store open?", 6*time.Minute); got != nil {
			t.Fatalf("ana's question expired, yet: %v", users(got))
		}
		if got := ask(c, "dan", "is the merch store open?", 6*time.Minute); fmt.Sprint(users(got)) != "[bob cy dan]" {
			t.Fatalf("got %v; want [bob cy dan]", users(got))
		}
	})
	t.Run("off", func(t *testing.T) {
		c := &crowd{n: 0, within: 5 * time.Minute}
		for _, u := range []string{"a", "b", "c", "d"} {
			if got := ask(c, u, "is the merch store open?", 0); got != nil {
				t.Fatalf("crowd off, yet: %v", got)
			}
		}
	})
	t.Run("memory is bounded", func(t *testing.T) {
		c := &crowd{n: 3, within: time.Hour}
		for i := range 3 * maxCrowdGroups {
			ask(c, fmt.Sprintf("v%d", i), fmt.Sprintf("question about topic%d", i), 0)
		}
		if len(c.groups) > maxCrowdGroups {
			t.Fatalf("%d groups; want at most %d", len(c.groups), maxCrowdGroups)
		}
	})
}

func users(as []Asker) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.User)
	}
	return out
}
