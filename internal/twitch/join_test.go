package twitch_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatdesk/chatdesk/internal/router"
	"github.com/chatdesk/chatdesk/internal/twitch"
	"github.com/chatdesk/chatdesk/internal/twitch/twitchtest"
)

// TestLiveJoinsAtTwitchsPace: with more channels than Twitch lets an
// account join in one window, the bot joins a batch per window, in the
// config's order, and a channel works as soon as it is joined — answers
// do not wait behind the joins still to come.
func TestLiveJoinsAtTwitchsPace(t *testing.T) {
	var channels []string
	for i := range 45 {
		channels = append(channels, fmt.Sprintf("chan%02d", i))
	}
	r := startRig(t, rigOptions{channels: channels, stages: []router.Stage{echo("at six")},
		cfg: func(c *twitch.LiveConfig) { c.IRC.JoinLimit = 20 }})
	c := r.irc.NextLogin(1)
	c.WaitJoined(20)
	c.Sync()
	if n := c.Joined(); n != 20 {
		t.Fatalf("joined %d channels at once; want the first batch of 20", n)
	}

	// A channel of the first batch answers while the others wait.
	c.Say(twitchtest.Chat{Channel: "chan03", ID: "m1", User: "ana", Text: "when?"})
	if got := c.Next("PRIVMSG"); got != "@reply-parent-msg-id=m1 PRIVMSG #chan03 :at six" {
		t.Errorf("bot sent %q; want the answer in #chan03", got)
	}

	// Ten seconds is the window; the next batch waits a second past it.
	<-r.dial.TimerAdded()
	r.dial.Advance(twitch.JoinWindow)
	c.Sync()
	if n := c.Joined(); n != 20 {
		t.Fatalf("joined %d channels after %s; want still 20", n, twitch.JoinWindow)
	}
	r.dial.Advance(time.Second)
	c.WaitJoined(40)
	<-r.dial.TimerAdded()
	r.dial.Advance(11 * time.Second)
	c.WaitJoined(45)
	c.Sync()
	r.waitLog("joined every twitch channel")

	// In the order of the config: the batches were chan00–19, chan20–39,
	// then the last five.
	joins := c.Joins()
	want := []string{
		"#" + strings.Join(channels[0:20], ",#"),
		"#" + strings.Join(channels[20:40], ",#"),
		"#" + strings.Join(channels[40:], ",#"),
	}
	if strings.Join(joins, "\n") != strings.Join(want, "\n") {
		t.Errorf("JOIN lines:\n%s\nwant:\n%s", strings.Join(joins, "\n"), strings.Join(want, "\n"))
	}
	for _, line := range strings.Split(r.logs.String(), "\n") {
		if strings.Contains(line, "level=INFO") && strings.Contains(line, `msg="joined channel"`) {
			t.Errorf("a line per channel at info level, with 45 channels: %s", line)
			break
		}
	}
}

// TestLiveJoinsFewChannelsAtOnce: channels that fit in one window are all
// joined at login, each named in the log.
func TestLiveJoinsFewChannelsAtOnce(t *testing.T) {
	r := startRig(t, rigOptions{channels: []string{"mira", "otto"}})
	c := r.irc.NextLogin(1)
	c.WaitJoined(2)
	r.waitLog(`msg="joined channel" channel=otto`)
	if strings.Contains(r.logs.String(), "a batch at a time") {
		t.Errorf("two channels were paced:\n%s", r.logs)
	}
}
