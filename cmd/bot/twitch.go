package main

import (
	"context"
	"errors"
)

// runTwitch would join Twitch; until the Twitch connection is built the bot
// says so instead of pretending.
func (a *app) runTwitch(_ context.Context, _ *Config, _ []*channel) error {
	return &exitErr{code: exitFailure, err: errors.New("CHATDESK_TWITCH_TOKEN is set, but this build has no Twitch connection yet; unset it to use the local console")}
}
