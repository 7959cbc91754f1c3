package io.rewind.stores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewind.log.Durability;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreUriTest {

    @Test
    void namesEveryKindOfStore() {
        assertThat(StoreUri.parse("log:./data").kind()).isEqualTo(StoreUri.Kind.LOG);
        assertThat(StoreUri.parse("log:./data").directory()).contains(Path.of("./data"));
        assertThat(StoreUri.parse("memory:").kind()).isEqualTo(StoreUri.Kind.MEMORY);
        assertThat(StoreUri.parse("memory:").directory()).isEmpty();
        assertThat(StoreUri.parse("sqlite:/var/lib/rewind/events.db").kind()).isEqualTo(StoreUri.Kind.SQL);
        assertThat(StoreUri.parse("postgresql://rewind:pw@127.0.0.1:5432/rewind").kind()).isEqualTo(StoreUri.Kind.SQL);
        assertThat(StoreUri.parse("jdbc:postgresql://127.0.0.1/rewind?user=u&password=pw").kind())
                .isEqualTo(StoreUri.Kind.SQL);
    }

    @Test
    void refusesWhatItCannotOpenNamingTheForms() {
        assertThatThrownBy(() -> StoreUri.parse("log:")).isInstanceOf(InvalidStoreUriException.class)
                .hasMessage("--store: 'log:' needs a directory, e.g. log:./data");
        assertThatThrownBy(() -> StoreUri.parse("")).isInstanceOf(InvalidStoreUriException.class)
                .hasMessageContaining("log:DIR, memory:, sqlite:FILE");
        assertThatThrownBy(() -> StoreUri.parse("redis://localhost")).isInstanceOf(InvalidStoreUriException.class)
                .hasMessageContaining("'redis://localhost' is not a store URI");
    }

    @Test
    void neverPrintsAPasswordInAnyForm() {
        assertThat(StoreUri.parse("postgresql://rewind:s3cret@db.local:5432/events").toString())
                .isEqualTo("postgresql://rewind:***@db.local:5432/events");
        assertThat(StoreUri.parse("postgres://rewind:s3cret@db.local/events").toString())
                .isEqualTo("postgres://rewind:***@db.local/events");
        // A password holding '@' or ':' is masked whole, not up to its first '@'.
        assertThat(StoreUri.parse("postgresql://rewind:s3@c:ret@db.local/events").toString())
                .isEqualTo("postgresql://rewind:***@db.local/events");
        assertThat(StoreUri.parse("postgresql://rewind:s3cret@h1:5432,h2:5433/events?targetServerType=primary")
                .toString()).isEqualTo("postgresql://rewind:***@h1:5432,h2:5433/events?targetServerType=primary");
        assertThat(StoreUri.parse("jdbc:postgresql://db.local/events?user=rewind&password=s3cret&ssl=true").toString())
                .isEqualTo("jdbc:postgresql://db.local/events?user=rewind&password=***&ssl=true");
        assertThat(StoreUri.parse("jdbc:postgresql://db.local/events?PASSWORD=s3cret").toString())
                .isEqualTo("jdbc:postgresql://db.local/events?PASSWORD=***");
        assertThat(StoreUri.parse("postgresql://rewind:a@db.local/events?password=b&sslpassword=c").toString())
                .isEqualTo("postgresql://rewind:***@db.local/events?password=***&sslpassword=***");
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
                .isInstanceOf(InvalidStoreUriException.class)
                .hasMessage("--fsync interval:100 applies only to log: stores; a SQL store is durable when the"
                        + " database commits");
        assertThatThrownBy(() -> StoreUri.parse("memory:").checkFsyncApplies("never"))
                .hasMessage("--fsync never applies only to log: stores; a memory: store keeps nothing");
    }

    @Test
    void parsesFsyncSettings() {
        assertThat(StoreUri.parseFsync("always").mode()).isEqualTo(Durability.Mode.ALWAYS);
        assertThatThrownBy(() -> StoreUri.parseFsync("sometimes")).isInstanceOf(InvalidStoreUriException.class)
                .hasMessageStartingWith("--fsync: ");
    }
}
