import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { request } from 'undici';

/**
 * What a team writes first: Apollo Server 5 + graphql-upload 17 on express 5, the whole capsule
 * read into a Buffer, then POSTed to Oz with undici. Same schema as ours, so the very same client
 * request works against both; only the design differs.
 */
export interface NaiveGatewayOptions {
  upstreamUrl: string;
  accessToken: string;
  host?: string;
  port?: number;
}

export interface RunningNaiveGateway {
  url: string;
  close(): Promise<void>;
}

const typeDefs = /* GraphQL */ `
  scalar Upload
  scalar DateTime
  type Query { sessionToken: SessionToken! }
  type SessionToken { token: String! expiresAt: DateTime! transactionId: ID! }
  type Mutation { submitCapsule(capsule: Upload!, transactionId: ID!): LivenessResult! }
  type LivenessResult {
    transactionId: ID!
    folderId: ID!
    resolutionStatus: String!
    systemResolution: String!
    decision: Decision!
    analyses: [Analysis!]!
    receipt: String!
  }
  type Analysis { id: ID! type: String! resolutionStatus: String! }
  enum Decision { ACCEPT REJECT REVIEW RETRY }
`;

interface OzFolderJson {
  folder_id: string;
  resolution_status: string;
  system_resolution: string;
  analyses?: Array<{ analyse_id: string; type: string; resolution_status: string }>;
}

export async function startNaiveGateway(
  options: NaiveGatewayOptions,
): Promise<RunningNaiveGateway> {
  const secret = randomBytes(32);
  const ozHeaders = { 'x-forensic-access-token': options.accessToken };

  const resolvers = {
    Upload: GraphQLUpload,
    Query: {
      async sessionToken() {
        const res = await request(`${options.upstreamUrl}/api/authorize/session_token`, {
          headers: ozHeaders,
        });
        const json = (await res.body.json()) as { session_token: string };
        return {
          token: json.session_token,
          expiresAt: new Date(Date.now() + 900_000).toISOString(),
          transactionId: randomUUID(),
        };
      },
    },
    Mutation: {
      async submitCapsule(
        _: unknown,
        args: { capsule: Promise<FileUpload>; transactionId: string },
      ) {
        const upload = await args.capsule;
        const chunks: Buffer[] = [];
        for await (const chunk of upload.createReadStream()) chunks.push(chunk as Buffer);
        const capsule = Buffer.concat(chunks);
        const res = await request(`${options.upstreamUrl}/api/instant/folders/`, {
          method: 'POST',
          headers: { ...ozHeaders, 'content-type': 'application/octet-stream' },
          body: capsule,
        });
        const folder = (await res.body.json()) as OzFolderJson;
        if (res.statusCode !== 201) throw new Error(`Oz answered ${res.statusCode}`);
        const decision = decide(folder.resolution_status, folder.system_resolution);
        return {
          transactionId: args.transactionId,
          folderId: folder.folder_id,
          resolutionStatus: folder.resolution_status,
          systemResolution: folder.system_resolution,
          decision,
          analyses: (folder.analyses ?? []).map((a) => ({
            id: a.analyse_id,
            type: a.type,
            resolutionStatus: a.resolution_status,
          })),
          receipt: sign(secret, {
            tid: args.transactionId,
            fid: folder.folder_id,
            decision,
            rs: folder.resolution_status,
            sr: folder.system_resolution,
          }),
        };
      },
    },
  };

  const apollo = new ApolloServer({ typeDefs, resolvers });
  await apollo.start();
  const app = express();
  app.use(
    '/graphql',
    express.json(),
    graphqlUploadExpress({ maxFileSize: 64 * 1024 * 1024, maxFiles: 1 }),
    expressMiddleware(apollo),
  );

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await apollo.stop();
    },
  };
}

function decide(resolutionStatus: string, systemResolution: string): string {
  if (resolutionStatus !== 'FINISHED') return 'RETRY';
  if (systemResolution === 'SUCCESS') return 'ACCEPT';
  if (systemResolution === 'DECLINED') return 'REJECT';
  if (systemResolution === 'OPERATOR_REQUIRED') return 'REVIEW';
  return 'RETRY';
}

/** A compact HS256 JWS, hand-rolled the way a first version would do it. */
function sign(secret: Buffer, claims: Record<string, string>): string {
  const iat = Math.floor(Date.now() / 1000);
  const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
  const payload = Buffer.from(JSON.stringify({ ...claims, iat, exp: iat + 3600 })).toString(
    'base64url',
  );
  const mac = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${mac}`;
}
