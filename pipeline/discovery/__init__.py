"""Discovery: BERTopic set-up, clustering back-ends, cluster labels."""
