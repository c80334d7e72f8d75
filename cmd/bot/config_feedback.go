package main

import "time"

// FeedbackConfig is how viewers rate the bot's answers.
type FeedbackConfig struct {
	// Window is how long after an answer its asker may say !helpful,
	// !wrong, thanks or 👍/👎.
	Window time.Duration `mapstructure:"window"`
}
