using Rft.Native;
using Rft.Rollout;
using Rft.Runtime.Tests.Models;
using static Rft.Runtime.Tests.Models.TensorEquality;
using static TorchSharp.torch;

namespace Rft.Runtime.Tests.Rollout;

/// <summary>
/// Decoding as several streams of rows at once (<see cref="DecodeStreams"/>): the streams end every token together, the
/// next token's draws are made once between tokens, a rollout stops when the last stream's rows have all finished, and a
/// failing stream stops the others and surfaces its exception without leaving threads waiting.
/// </summary>
public sealed class DecodeStreamsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Rows_that_finish_at_different_tokens_in_different_streams_give_the_single_stream_batch()
    {
        using var scope = NewDisposeScope();
        // Greedy chain: each letter is followed by the next one, 'e' by EOS (a=3 ... e=7, EOS=2). "e" stops at once, "c"
        // after 3 tokens, "ha" and "a" after 5: with four streams of two rows, each stream finishes at its own token.
        using var model = TinyModels.Markov(id => id == 7 ? 2 : id is >= 3 and < 10 ? id + 1 : 3);
        var prompts = new PromptBatch(maxPrompts: 4, maxPromptTokens: 4);
        foreach (var text in new[] { "e", "c", "ha", "a" }) prompts.Add(text, TinyModels.Tokenizer());
        using var single = new Sampler(model, TinyModels.Tokenizer(), maxRows: 8, maxPromptTokens: 4, maxNewTokens: 8) { StreamsOverride = 1 };
        var expected = single.Generate(prompts, 2, SamplingSettings.Greedy(8), new Generator(1));
        Assert.Equal(5, expected.CompletionLength);

        foreach (int streams in new[] { 2, 4 })
        {
            using var split = new Sampler(model, TinyModels.Tokenizer(), maxRows: 8, maxPromptTokens: 4, maxNewTokens: 8) { StreamsOverride = streams };
            var actual = split.Generate(prompts, 2, SamplingSettings.Greedy(8), new Generator(1));
            Assert.Equal(expected.CompletionLength, actual.CompletionLength);
            Assert.True(Same(expected.Sequences, actual.Sequences), $"{streams} streams: sequences");
            Assert.True(Same(expected.CompletionMask, actual.CompletionMask), $"{streams} streams: completion mask");
            Assert.True(Same(expected.LogProbs, actual.LogProbs), $"{streams} streams: log-probs");
        }
    }

    [Fact]
    public void Streams_end_each_token_together_and_the_draws_come_between_tokens()
    {
        int inside = 0, draws = 0, drawsInsideATokens = 0;
        var tokens = new int[3];
        using var frame = new NativeFrame();
        DecodeStreams? streams = null;
        streams = new DecodeStreams(3, frame, (stream, _) =>
        {
            for (int token = 1; token <= 5; token++)
            {
                Interlocked.Increment(ref inside);
                Thread.SpinWait(1000 * (stream + 1));    // streams of unequal speed
                tokens[stream] = token;
                Interlocked.Decrement(ref inside);
                if (streams!.EndStep(stream, last: token == 5, done: false)) break;
            }
        }, () =>
        {
            draws++;
            if (Volatile.Read(ref inside) != 0) drawsInsideATokens++;
            Assert.Equal(tokens[0], tokens[1]);
            Assert.Equal(tokens[1], tokens[2]);
        });
        using (streams)
        {
            RunWithin(streams);
            Assert.Equal(new[] { 5, 5, 5 }, tokens);
            Assert.Equal(4, draws);               // after tokens 1 to 4, none after the last
            Assert.Equal(0, drawsInsideATokens);

            RunWithin(streams);                    // the threads and the barrier serve the next rollout
            Assert.Equal(8, draws);
        }
    }

    [Fact]
    public void Decoding_stops_after_the_token_where_the_last_stream_finishes()
    {
        var ended = new int[2];
        int draws = 0;
        using var frame = new NativeFrame();
        DecodeStreams? streams = null;
        streams = new DecodeStreams(2, frame, (stream, _) =>
        {
            int finishesAt = stream == 0 ? 2 : 4;
            for (int token = 1; token <= 10; token++)
            {
                ended[stream] = token;
                if (streams!.EndStep(stream, last: token == 10, done: token >= finishesAt)) break;
            }
        }, () => draws++);
        using (streams)
        {
            RunWithin(streams);
            Assert.Equal(new[] { 4, 4 }, ended);
            Assert.Equal(3, draws);
        }
    }

    [Fact]
    public void A_failing_stream_stops_the_others_and_its_exception_surfaces()
    {
        var ended = new int[3];
        bool fail = true;
        using var frame = new NativeFrame();
        DecodeStreams? streams = null;
        streams = new DecodeStreams(3, frame, (stream, _) =>
        {
            for (int token = 1; token <= 6; token++)
            {
                if (fail && stream == 1 && token == 3) throw new InvalidOperationException("stream 1 failed at token 3");
                ended[stream] = token;
                if (streams!.EndStep(stream, last: token == 6, done: false)) break;
            }
        }, () => { });
        using (streams)
        {
            var error = Assert.Throws<InvalidOperationException>(() => RunWithin(streams));
            Assert.Equal("stream 1 failed at token 3", error.Message);
            Assert.Equal(new[] { 3, 2, 3 }, ended);   // the others end the token in which stream 1 failed

            fail = false;
            RunWithin(streams);                       // nothing left waiting: the next rollout runs whole
            Assert.Equal(new[] { 6, 6, 6 }, ended);
        }
    }

    [Fact]
    public void A_failing_draw_stops_every_stream_and_surfaces()
    {
        var ended = new int[2];
        int draws = 0;
        using var frame = new NativeFrame();
        DecodeStreams? streams = null;
        streams = new DecodeStreams(2, frame, (stream, _) =>
        {
            for (int token = 1; token <= 6; token++)
            {
                ended[stream] = token;
                if (streams!.EndStep(stream, last: token == 6, done: false)) break;
            }
        }, () =>
        {
            if (++draws == 2) throw new InvalidOperationException("the draw failed");
        });
        using (streams)
        {
            var error = Assert.Throws<InvalidOperationException>(() => RunWithin(streams));
            Assert.Equal("the draw failed", error.Message);
            Assert.Equal(new[] { 2, 2 }, ended);
        }
    }

    // Runs on another thread so that a deadlock fails the test instead of hanging the run.
    private static void RunWithin(DecodeStreams streams)
    {
        var run = Task.Factory.StartNew(streams.Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(((IAsyncResult)run).AsyncWaitHandle.WaitOne(Patience), "the streams did not end");
        run.GetAwaiter().GetResult();
    }
}
