package main

import (
	"strings"
	"testing"
	"time"
)

func TestTipsConfig(t *testing.T) {
	cfg, err := loadConfig(writeConfig(t, "channels: [{name: mira, faq: [FAQ]}]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Answer.Tips; got.MinMessages != 20 || got.TrendingViewers != 3 || got.TrendingWithin != 10*time.Minute {
		t.Errorf("defaults = %+v; want 20 messages, 3 viewers within 10m", got)
	}
	cfg, err = loadConfig(writeConfig(t, "channels: [{name: mira, faq: [FAQ]}]\n"),
		[]string{"CHATDESK_ANSWER_TIPS_MIN_MESSAGES=5", "CHATDESK_ANSWER_TIPS_TRENDING_WITHIN=3m"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Answer.Tips; got.MinMessages != 5 || got.TrendingWithin != 3*time.Minute {
		t.Errorf("from the environment = %+v; want 5 messages within 3m", got)
	}
	_, err = loadConfig(writeConfig(t, "answer: {tips: {min_messages: 0, trending_viewers: -1}}\nchannels: [{name: mira, faq: [FAQ]}]\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "answer.tips.min_messages: must be at least 1") ||
		!strings.Contains(err.Error(), "answer.tips.trending_viewers: must not be negative") {
		t.Errorf("bad tips settings: %v", err)
	}
}
