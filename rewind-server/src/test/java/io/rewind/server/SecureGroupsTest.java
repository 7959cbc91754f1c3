package io.rewind.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewind.api.AppendRequest;
import io.rewind.api.ErrorCode;
import io.rewind.api.EventData;
import io.rewind.api.ExpectedVersion;
import io.rewind.protocol.command.CommandReply;
import io.rewind.protocol.command.CommandRequest;
import io.rewind.protocol.command.CommandRequest.GroupOperation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grants of the GROUP command over CURVE (docs/SECURITY.md): admin to manage, read on the scope to join. */
class SecureGroupsTest {

    @TempDir
    Path dir;

    private SecureTestServer secure;

    @AfterEach
    void stop() {
        if (secure != null) {
            secure.close();
        }
    }

    private static CommandReply call(CommandClient client, GroupOperation operation, String... args) {
        long id = client.nextId();
        client.dealer.sendCommand(new CommandRequest.Group(id, operation, List.of(args)));
        return client.dealer.receiveReply();
    }

    @Test
    void managingNeedsAdminAndJoiningNeedsReadOnTheGroupsScope() throws Exception {
        secure = new SecureTestServer(dir, """
                ops      admin read:$all
                orders   read:orders-*
                """, true);
        CommandClient ops = new CommandClient(secure.dealer("ops"));
        CommandClient orders = new CommandClient(secure.dealer("orders"));

        CommandReply denied = call(orders, GroupOperation.CREATE, "o", "ROUND_ROBIN", "5", "30000", "2", "0", "PREFIX",
                "orders-", "BEGINNING", "-1");
        assertThat(denied).isInstanceOf(CommandReply.Error.class);
        assertThat(((CommandReply.Error) denied).code()).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(((CommandReply.Error) denied).reason())
                .isEqualTo("principal 'orders' may not manage consumer groups (GROUP CREATE): it needs the admin grant");
        assertThat(((CommandReply.Error) call(orders, GroupOperation.LIST)).code()).isEqualTo(ErrorCode.ACCESS_DENIED);

        assertThat(call(ops, GroupOperation.CREATE, "o", "ROUND_ROBIN", "5", "30000", "2", "0", "PREFIX", "orders-",
                "BEGINNING", "-1")).isInstanceOf(CommandReply.GroupResult.class);
        assertThat(call(ops, GroupOperation.CREATE, "everything", "ROUND_ROBIN", "5", "30000", "2", "0", "ALL", "",
                "BEGINNING", "-1")).isInstanceOf(CommandReply.GroupResult.class);

        CommandReply joined = call(orders, GroupOperation.JOIN, "o", "w");
        assertThat(joined).as("read:orders-* covers the prefix group").isInstanceOf(CommandReply.GroupResult.class);
        CommandReply notAll = call(orders, GroupOperation.JOIN, "everything", "w");
        assertThat(((CommandReply.Error) notAll).code()).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(((CommandReply.Error) notAll).reason()).contains("'orders'").contains("$all");
        assertThat(secure.groups.describe("everything").consumers()).as("the denied JOIN left no member").isEmpty();
        assertThat(secure.groups.describe("o").consumers()).containsExactly("w");

        CommandReply updateDenied = call(orders, GroupOperation.UPDATE, "o", "", "1", "", "", "");
        assertThat(((CommandReply.Error) updateDenied).code()).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(((CommandReply.Error) updateDenied).reason())
                .isEqualTo("principal 'orders' may not manage consumer groups (GROUP UPDATE): it needs the admin grant");
        assertThat(secure.groups.describe("o").definition().settings().maxInFlightPerConsumer())
                .as("the denied update changed nothing").isEqualTo(5);
        assertThat(call(ops, GroupOperation.UPDATE, "o", "", "1", "", "", "")).isInstanceOf(CommandReply.GroupResult.class);
        assertThat(secure.groups.describe("o").definition().settings().maxInFlightPerConsumer()).isEqualTo(1);
    }

    @Test
    void aConsumerWhoseKeyIsRemovedLeavesItsGroupWithUnauthenticated() throws Exception {
        secure = new SecureTestServer(dir, """
                ops      admin read:$all
                orders   read:orders-*
                """, true);
        CommandClient ops = new CommandClient(secure.dealer("ops"));
        CommandClient orders = new CommandClient(secure.dealer("orders"));
        assertThat(call(ops, GroupOperation.CREATE, "o", "ROUND_ROBIN", "5", "30000", "2", "0", "PREFIX", "orders-",
                "BEGINNING", "-1")).isInstanceOf(CommandReply.GroupResult.class);
        long joinId = orders.nextId();
        orders.dealer.sendCommand(new CommandRequest.Group(joinId, GroupOperation.JOIN, List.of("o", "w")));
        assertThat(orders.dealer.receiveReply()).isInstanceOf(CommandReply.GroupResult.class);
        assertThat(secure.groups.describe("o").consumers()).containsExactly("w");

        Files.delete(secure.clientsDirectory.resolve("orders.key"));

        CommandReply ended = null;
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(ended instanceof CommandReply.Error) && System.nanoTime() < end) {
            ended = orders.dealer.receiveReply(); // waits at most the client's receive timeout
        }
        assertThat(ended).as("the revoked consumer is told").isInstanceOf(CommandReply.Error.class);
        CommandReply.Error error = (CommandReply.Error) ended;
        assertThat(error.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(error.requestId()).hasValue(joinId);
        assertThat(error.reason()).contains("is no longer accepted").contains("consumer 'w' of group 'o'");
        Await.until("the revoked consumer left the group", Duration.ofSeconds(10),
                () -> secure.groups.describe("o").consumers().isEmpty());

        // Its deliveries go to a consumer whose key is still accepted, under the same name.
        long opsJoin = ops.nextId();
        ops.dealer.sendCommand(new CommandRequest.Group(opsJoin, GroupOperation.JOIN, List.of("o", "w")));
        assertThat(ops.dealer.receiveReply()).isInstanceOf(CommandReply.GroupResult.class);
        UUID id = UUID.randomUUID();
        secure.store.append(AppendRequest.to("orders-1", ExpectedVersion.any(),
                EventData.of(id, "Made", "e".getBytes(StandardCharsets.UTF_8))));
        CommandReply delivered = ops.dealer.receiveReply();
        assertThat(delivered).isInstanceOf(CommandReply.GroupDelivery.class);
        assertThat(((CommandReply.GroupDelivery) delivered).requestId()).isEqualTo(opsJoin);
        assertThat(((CommandReply.GroupDelivery) delivered).event().id()).isEqualTo(id);
    }
}
