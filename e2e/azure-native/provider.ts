import { readFileSync } from "node:fs";
import * as path from "node:path";

import * as grpc from "@grpc/grpc-js";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";

import { ArmClient, type Sleep } from "./arm";
import { diffInputs } from "./diff";
import { invokeOf } from "./invokes";
import { resourceTypeOf, tokenOfUrn, type ResourceType } from "./resourceTypes";
import type { Settings } from "./settings";
import { armIdOf, inputProjectionOf, inputsFromResponse, outputsOf, previewOutputsOf, requestBodyOf } from "./shapes";
import { deepEqual, fromStruct, isObject, toStruct, type Json, type Props } from "./wire";

/**
 * The azure-native ResourceProvider service, implemented on @grpc/grpc-js with Pulumi's generated protobuf classes.
 * @pulumi/pulumi's `provider.main` (provider/server.js, 3.248) is not used: its Configure always accepts secrets,
 * resources and outputs and never reports preview support (so the engine would not call Create or Update in preview),
 * and its Diff sees no old inputs and returns no detailed diff. Each method here follows azure-native's
 * (provider/pkg/provider/provider.go) and talks to ARM through `ArmClient`.
 */

const DIFF_KIND: Readonly<Record<string, provproto.PropertyDiff.Kind>> = {
    ADD: provproto.PropertyDiff.Kind.ADD,
    ADD_REPLACE: provproto.PropertyDiff.Kind.ADD_REPLACE,
    DELETE: provproto.PropertyDiff.Kind.DELETE,
    DELETE_REPLACE: provproto.PropertyDiff.Kind.DELETE_REPLACE,
    UPDATE: provproto.PropertyDiff.Kind.UPDATE,
    UPDATE_REPLACE: provproto.PropertyDiff.Kind.UPDATE_REPLACE,
};

/** The version of @pulumi/azure-native the repository pins (package-lock.json), which this stand-in imitates. */
export function pinnedAzureNativeVersion(lockFile = path.join(__dirname, "..", "..", "package-lock.json")): string {
    const lock = JSON.parse(readFileSync(lockFile, "utf8")) as {
        packages?: Record<string, { version?: string }>;
    };
    const version = lock.packages?.["node_modules/@pulumi/azure-native"]?.version;
    if (version === undefined) {
        throw new Error(`${lockFile} pins no node_modules/@pulumi/azure-native; run npm install.`);
    }
    return version;
}

export class AzureNativeStandin {
    private readonly arm: ArmClient;
    private config: Record<string, string> = {};

    constructor(
        private readonly settings: Settings,
        private readonly version: string,
        sleep: Sleep,
    ) {
        this.arm = new ArmClient(settings, sleep);
    }

    /** The subscription azure-native uses: its `subscriptionId` config, else the environment (ARM_SUBSCRIPTION_ID there). */
    private get subscriptionId(): string {
        return this.config.subscriptionId ?? this.settings.subscriptionId;
    }

    /** Starts the gRPC server on 127.0.0.1 (never any other address) and returns its port. */
    async serve(): Promise<{ port: number; server: grpc.Server }> {
        const server = new grpc.Server();
        server.addService(provrpc.ResourceProviderService, this.handlers());
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
                error ? reject(error) : resolve(bound),
            ),
        );
        return { port, server };
    }

    private handlers(): grpc.UntypedServiceImplementation {
        const unary =
            <Req, Res>(handler: (request: Req) => Promise<Res>) =>
            (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
                handler(call.request).then(
                    (response) => callback(null, response),
                    (error: Error) => callback({ code: grpc.status.UNKNOWN, details: error.message }, null),
                );
            };
        return {
            getPluginInfo: unary(async () => new plugproto.PluginInfo().setVersion(this.version)),
            attach: unary(async () => new Empty()),
            cancel: unary(async () => new Empty()),
            getMapping: unary(async () => new provproto.GetMappingResponse()),
            configure: unary((request: provproto.ConfigureRequest) => this.configure(request)),
            // provider.go: CheckConfig returns the news; DiffConfig answers "unknown" so the engine diffs config itself.
            checkConfig: unary(async (request: provproto.CheckRequest) =>
                new provproto.CheckResponse().setInputs(request.getNews()),
            ),
            diffConfig: unary(async () => new provproto.DiffResponse()),
            check: unary((request: provproto.CheckRequest) => this.check(request)),
            diff: unary((request: provproto.DiffRequest) => this.diff(request)),
            create: unary((request: provproto.CreateRequest) => this.create(request)),
            read: unary((request: provproto.ReadRequest) => this.read(request)),
            update: unary((request: provproto.UpdateRequest) => this.update(request)),
            delete: unary((request: provproto.DeleteRequest) => this.delete(request)),
            invoke: unary((request: provproto.InvokeRequest) => this.invoke(request)),
        };
    }

    private async configure(request: provproto.ConfigureRequest): Promise<provproto.ConfigureResponse> {
        // provider.go: azure-native 3 needs the old inputs on Diff, Update and Delete (pulumi-azure-native#2686).
        if (!request.getSendsOldInputs() || !request.getSendsOldInputsToDelete()) {
            throw new Error("Azure Native provider requires Pulumi CLI v3.74.0 or later");
        }
        this.config = {};
        request.getVariablesMap().forEach((value, key) => {
            this.config[key.replace(/^azure-native:config:/, "")] = value;
        });
        // As azure-native: previews supported, secrets not accepted (the engine strips them and re-marks outputs).
        return new provproto.ConfigureResponse().setSupportspreview(true).setSupportsAutonamingConfiguration(true);
    }

    private async check(request: provproto.CheckRequest): Promise<provproto.CheckResponse> {
        const type = resourceTypeOf(tokenOfUrn(request.getUrn()));
        const olds = fromStruct(request.getOlds());
        const news = fromStruct(request.getNews());
        const failures: provproto.CheckFailure[] = [];
        // provider.go `getDefaultLocation`: old inputs, then the `location` config. (The resource group's location,
        // azure-native's third choice, is not looked up: every resource here that has a location is given one.)
        if (type.bodyInputs.includes("location") && news.location === undefined) {
            const location = olds.location ?? this.config.location;
            if (location !== undefined) {
                news.location = location;
            } else {
                failures.push(
                    failure(
                        "location",
                        "missing required property 'location': set it, or the azure-native:location config",
                    ),
                );
            }
        }
        for (const name of type.pathParams) {
            if (news[name] === undefined) {
                // The stand-in does not auto-name: every name this program uses is explicit.
                failures.push(failure(name, `missing required property '${name}'`));
            }
        }
        return new provproto.CheckResponse().setInputs(toStruct(news)).setFailuresList(failures);
    }

    private async diff(request: provproto.DiffRequest): Promise<provproto.DiffResponse> {
        const type = resourceTypeOf(tokenOfUrn(request.getUrn()));
        const result = diffInputs(
            type,
            fromStruct(request.getOldInputs()),
            fromStruct(request.getNews()),
            fromStruct(request.getOlds()),
        );
        const response = new provproto.DiffResponse()
            .setChanges(
                result.changes.length > 0
                    ? provproto.DiffResponse.DiffChanges.DIFF_SOME
                    : provproto.DiffResponse.DiffChanges.DIFF_NONE,
            )
            .setDiffsList([...result.changes])
            .setReplacesList([...result.replaces])
            .setStablesList([])
            .setDeletebeforereplace(result.deleteBeforeReplace)
            .setHasdetaileddiff(true);
        for (const [key, kind] of Object.entries(result.detailedDiff)) {
            response
                .getDetaileddiffMap()
                .set(key, new provproto.PropertyDiff().setKind(DIFF_KIND[kind]).setInputdiff(true));
        }
        return response;
    }

    private async create(request: provproto.CreateRequest): Promise<provproto.CreateResponse> {
        const type = resourceTypeOf(tokenOfUrn(request.getUrn()));
        const inputs = fromStruct(request.getProperties());
        if (request.getPreview()) {
            return new provproto.CreateResponse().setProperties(toStruct(previewOutputsOf(type, inputs)));
        }
        const id = armIdOf(type, inputs, this.subscriptionId);
        // azure-native `CanCreate`: ARM's PUT is an upsert, so it looks first and refuses to adopt what exists.
        if ((await this.arm.find(id, type.apiVersion)) !== undefined) {
            throw new Error(
                `cannot create already existing resource "${id}": import it into the stack (pulumi import) or delete it first`,
            );
        }
        const written = await this.arm.put(id, type.apiVersion, requestBodyOf(type, inputs));
        const canonicalId = typeof written.id === "string" ? written.id : id;
        // azure-native `readAfterWrite`: the state is what a GET returns, so a later refresh shows no spurious diff.
        const response = await this.arm.get(canonicalId, type.apiVersion);
        return new provproto.CreateResponse()
            .setId(canonicalId)
            .setProperties(toStruct(outputsOf(type, response, { keepId: false })));
    }

    private async read(request: provproto.ReadRequest): Promise<provproto.ReadResponse> {
        const type = resourceTypeOf(tokenOfUrn(request.getUrn()));
        const id = request.getId();
        const response = await this.arm.find(id, type.apiVersion);
        if (response === undefined) {
            // 404: the resource is gone; the engine drops it from the state.
            return new provproto.ReadResponse().setId("");
        }
        const outputs = outputsOf(type, response, { keepId: false });
        const oldInputs = fromStruct(request.getInputs());
        const inputs =
            Object.keys(oldInputs).length === 0
                ? inputsFromResponse(type, id, response)
                : // provider.go `Read`: only what changed in Azure since the last update flows back into the inputs.
                  applyChanges(
                      oldInputs,
                      inputProjectionOf(type, fromStruct(request.getProperties())),
                      inputProjectionOf(type, outputs),
                  );
        return new provproto.ReadResponse().setId(id).setProperties(toStruct(outputs)).setInputs(toStruct(inputs));
    }

    private async update(request: provproto.UpdateRequest): Promise<provproto.UpdateResponse> {
        const type = resourceTypeOf(tokenOfUrn(request.getUrn()));
        const news = fromStruct(request.getNews());
        if (request.getPreview()) {
            return new provproto.UpdateResponse().setProperties(
                toStruct(previewOutputsOf(type, news, fromStruct(request.getOlds()))),
            );
        }
        const id = armIdOf(type, news, this.subscriptionId);
        // azure-native has no PATCH: an update is a PUT of the full new inputs, then a read.
        await this.arm.put(id, type.apiVersion, requestBodyOf(type, news));
        const response = await this.arm.get(id, type.apiVersion);
        return new provproto.UpdateResponse().setProperties(toStruct(outputsOf(type, response, { keepId: false })));
    }

    private async delete(request: provproto.DeleteRequest): Promise<Empty> {
        const type: ResourceType = resourceTypeOf(tokenOfUrn(request.getUrn()));
        await this.arm.delete(request.getId(), type.apiVersion);
        return new Empty();
    }

    private async invoke(request: provproto.InvokeRequest): Promise<provproto.InvokeResponse> {
        const invoke = invokeOf(request.getTok());
        const result = await invoke(fromStruct(request.getArgs()), {
            arm: this.arm,
            settings: this.settings,
            subscriptionId: this.subscriptionId,
        });
        return new provproto.InvokeResponse().setReturn(toStruct(result));
    }
}

function failure(property: string, reason: string): provproto.CheckFailure {
    return new provproto.CheckFailure().setProperty(property).setReason(reason);
}

/** diff.go `applyDiff`: the inputs, with what changed between the old and new output projections copied in. */
export function applyChanges(inputs: Props, oldProjection: Props, newProjection: Props): Props {
    const result: Props = {};
    for (const [key, value] of Object.entries(inputs)) {
        if (!(key in oldProjection) || key in newProjection) {
            result[key] = value;
        }
    }
    for (const [key, value] of Object.entries(newProjection)) {
        if (!(key in oldProjection)) {
            result[key] = value;
        } else if (!deepEqual(oldProjection[key], value)) {
            result[key] = key in inputs ? applyValueChange(inputs[key], oldProjection[key], value) : value;
        }
    }
    return result;
}

function applyValueChange(base: Json, old: Json, value: Json): Json {
    if (isObject(base) && isObject(old) && isObject(value)) {
        return applyChanges(base, old, value);
    }
    if (Array.isArray(base) && Array.isArray(old) && Array.isArray(value)) {
        return value.map((item, index) =>
            index < base.length && index < old.length ? applyValueChange(base[index], old[index], item) : item,
        );
    }
    return value;
}
