package io.rewind.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StoreUriTest {

    @Test
    void namesEveryKindOfStore() {
        assertThat(StoreUri.parse("log:./data").kind()).isEqualTo(StoreUri.Kind.LOG);
        assertThat(StoreUri.parse("memory:").kind()).isEqualTo(StoreUri.Kind.MEMORY);
        assertThat(StoreUri.parse("sqlite:/var/lib/rewind/events.db").kind()).isEqualTo(StoreUri.Kind.SQL);
        assertThat(StoreUri.parse("postgresql://rewind:pw@127.0.0.1:5432/rewind").kind()).isEqualTo(StoreUri.Kind.SQL);
        assertThat(StoreUri.parse("jdbc:postgresql://127.0.0.1/rewind?user=u&password=pw").kind())
                .isEqualTo(StoreUri.Kind.SQL);
    }

    @Test
    void neverPrintsAPassword() {
        assertThat(StoreUri.parse("postgresql://rewind:s3cret@db.local:5432/events").toString())
                .isEqualTo("postgresql://rewind:***@db.local:5432/events");
        assertThat(StoreUri.parse("jdbc:postgresql://db.local/events?user=rewind&password=s3cret&ssl=true").toString())
                .isEqualTo("jdbc:postgresql://db.local/events?user=rewind&password=***&ssl=true");
        assertThat(StoreUri.parse("postgresql://rewind@db.local/events").toString())
                .isEqualTo("postgresql://rewind@db.local/events");
        assertThatThrownBy(() -> StoreUri.parse("mysql://rewind:s3cret@db.local/events"))
                .hasMessageNotContaining("s3cret").hasMessageContaining("mysql://rewind:***@db.local/events");
    }

    @Test
    void onlyTheLogTakesAnFsyncPolicy() {
        StoreUri.parse("log:./data").checkFsyncApplies("never");
        StoreUri.parse("sqlite:x.db").checkFsyncApplies("always");
        assertThatThrownBy(() -> StoreUri.parse("sqlite:x.db").checkFsyncApplies("interval:100"))
                .isInstanceOf(CliException.class)
                .hasMessage("--fsync interval:100 applies only to log: stores; a SQL store is durable when the"
                        + " database commits");
    }
}
